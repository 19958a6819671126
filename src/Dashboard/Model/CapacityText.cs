using System.Globalization;
using BatchDashboard.Core.Capacity;
using MudBlazor;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// Capacity in words, the same on the capacity page, the new-batch page and the retry dialog: a limit and where it
/// comes from, and whether a file fits its model's queue.
/// </summary>
public static class CapacityText
{
    public static string Tokens(long tokens) => Plural.Of(tokens, "token");

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Where a limit comes from: "OpenAI's published limit for usage tier 1", "set in configuration", "learned from a failed batch".</summary>
    public static string Source(QueueLimit limit) => limit.Source switch
    {
        LimitSource.Configured => "set in configuration",
        LimitSource.Learned => "learned from a batch that failed with token_limit_exceeded",
        _ => $"OpenAI's published limit for usage tier {limit.Tier}",
    };

    /// <summary>How full a queue is, for its bar's colour: under 80% fine, up to the limit near it, then over it.</summary>
    public static Color Tone(double? share) => share switch
    {
        null => Color.Default,
        > 1 => Color.Error,
        >= 0.8 => Color.Warning,
        _ => Color.Primary,
    };

    /// <summary>Whether a file fits, as an alert's severity and its sentence.</summary>
    public static (Severity Severity, string Text) Fit(CapacityFit fit, DateTimeOffset now)
    {
        var model = fit.Model;
        var (severity, text) = fit.Verdict switch
        {
            FitVerdict.Fits => (Severity.Success,
                $"Fits now: {Number(fit.Tokens)} prompt tokens, with {Number(fit.QueuedTokens)} of {model}'s {Number(fit.Limit!.Tokens)} queued ({Source(fit.Limit)})."),
            FitVerdict.FitsLater => (Severity.Warning,
                $"Over the limit now: {Number(fit.QueuedTokens)} of {model}'s {Number(fit.Limit!.Tokens)} tokens are queued ({Source(fit.Limit)}) and this adds {Number(fit.Tokens)}. "
                + $"At the running batches' pace it would fit {RelativeTime.Format(fit.FitsAt, now)} (about {RelativeTime.Exact(fit.FitsAt)}). Sent now, the API would fail it with token_limit_exceeded."),
            FitVerdict.NotNow => (Severity.Warning,
                $"Over the limit now: {Number(fit.QueuedTokens)} of {model}'s {Number(fit.Limit!.Tokens)} tokens are queued ({Source(fit.Limit)}) and this adds {Number(fit.Tokens)}. "
                + "The batches holding the queue have no pace yet, so when it would fit is not known. Sent now, the API would fail it with token_limit_exceeded."),
            FitVerdict.TooLarge => (Severity.Error,
                $"On its own, {Number(fit.Tokens)} prompt tokens are more than {model}'s limit of {Number(fit.Limit!.Tokens)} ({Source(fit.Limit)}): it can never be queued whole. "
                + $"Split it into files of at most {Number(fit.Limit.Tokens)} tokens."),
            _ => (Severity.Info,
                $"{Number(fit.Tokens)} prompt tokens. No queued-token limit is known for {model} on this connection: set BatchDashboard:Capacity:Tier or a limit to have it checked."),
        };

        if (fit.Uncounted > 0 && fit.Verdict is FitVerdict.Fits or FitVerdict.FitsLater or FitVerdict.NotNow)
        {
            text += $" {Plural.Of(fit.Uncounted, "running batch")} of {model} {(fit.Uncounted == 1 ? "is" : "are")} not counted yet, so the queue may be fuller.";
        }

        return (severity, text);
    }
}
