using BatchDashboard.Core.Results;

namespace BatchDashboard.Dashboard.Model;

/// <summary>How a request's outcome reads, its name in addresses, and the status colour it borrows.</summary>
public static class OutcomeDisplay
{
    public static IReadOnlyList<RequestOutcome> All { get; } =
        [RequestOutcome.Succeeded, RequestOutcome.HttpError, RequestOutcome.OtherError, RequestOutcome.Expired, RequestOutcome.Cancelled, RequestOutcome.NoResult];

    /// <summary>The outcomes a retry can take: everything but success.</summary>
    public static IReadOnlyList<RequestOutcome> Retriable { get; } =
        [RequestOutcome.HttpError, RequestOutcome.OtherError, RequestOutcome.Expired, RequestOutcome.Cancelled, RequestOutcome.NoResult];

    public static string Text(RequestOutcome outcome) => outcome switch
    {
        RequestOutcome.Succeeded => "succeeded",
        RequestOutcome.HttpError => "HTTP error",
        RequestOutcome.OtherError => "other error",
        RequestOutcome.Expired => "expired",
        RequestOutcome.Cancelled => "cancelled",
        _ => "no result",
    };

    public static string Name(RequestOutcome outcome) => outcome switch
    {
        RequestOutcome.Succeeded => "succeeded",
        RequestOutcome.HttpError => "http_error",
        RequestOutcome.OtherError => "other_error",
        RequestOutcome.Expired => "expired",
        RequestOutcome.Cancelled => "cancelled",
        _ => "no_result",
    };

    public static RequestOutcome? Parse(string name) => All.Cast<RequestOutcome?>().FirstOrDefault(o => Name(o!.Value) == name.Trim().ToLowerInvariant());

    public static string CssClass(RequestOutcome outcome) => outcome switch
    {
        RequestOutcome.Succeeded => "status-completed",
        RequestOutcome.HttpError or RequestOutcome.OtherError => "status-failed",
        RequestOutcome.Expired => "status-expired",
        RequestOutcome.Cancelled => "status-cancelled",
        _ => "status-unknown",
    };

    /// <summary>What the outcome means, for its tooltip.</summary>
    public static string Explanation(RequestOutcome outcome) => outcome switch
    {
        RequestOutcome.Succeeded => "The endpoint answered with a 2xx response (in the output file).",
        RequestOutcome.HttpError => "The endpoint answered with a 4xx or 5xx status (the error is in the response body).",
        RequestOutcome.OtherError => "The request failed without a response, e.g. request_timeout.",
        RequestOutcome.Expired => "batch_expired: not run before the 24-hour window ended.",
        RequestOutcome.Cancelled => "batch_cancelled: not run because the batch was cancelled.",
        _ => "In the input file, in no result file: the batch is still running, or the result is missing.",
    };
}
