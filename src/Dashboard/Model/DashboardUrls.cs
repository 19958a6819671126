using BatchDashboard.Core.Results;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// Every address the dashboard links to, relative to its base (the <c>&lt;base href&gt;</c> of wherever a host or a
/// proxy mounted it), built here so no page concatenates one: ids are escaped, and the list's and results' state
/// goes through their queries (<see cref="BatchListQuery"/>, <see cref="ResultListQuery"/>).
/// </summary>
public static class DashboardUrls
{
    /// <summary>The dashboard's root (the batch list).</summary>
    public const string Home = "";

    public const string NewBatch = "batches/new";

    public const string Settings = "settings";

    /// <summary>The queued tokens per model against each model's limit.</summary>
    public const string Capacity = "capacity";

    public const string SignIn = "signin";

    /// <summary>Where the sign-out form posts.</summary>
    public const string SignOut = "signout";

    /// <summary>The batch list, filtered, sorted and paged as <paramref name="query"/> says.</summary>
    public static string Batches(BatchListQuery? query = null) => "batches" + (query?.ToQueryString() ?? "");

    /// <summary>A batch's page; with its connection named, the batch of that connection (ids are unique only within one).</summary>
    public static string Batch(string batchId, string? connectionId = null) =>
        "batches/" + Uri.EscapeDataString(batchId) + (string.IsNullOrEmpty(connectionId) ? "" : "?connection=" + Uri.EscapeDataString(connectionId));

    /// <summary>A batch's results, filtered and paged as <paramref name="query"/> says (its connection included).</summary>
    public static string BatchResults(string batchId, ResultListQuery? query = null) =>
        "batches/" + Uri.EscapeDataString(batchId) + "/results" + (query?.ToQueryString() ?? "");

    public const string Notifications = "notifications";

    /// <summary>How batches performed and what they cost over a range, as <paramref name="query"/> says.</summary>
    public static string Insights(InsightQuery? query = null) => "insights" + (query?.ToQueryString() ?? "");

    /// <summary>One chart of the insights page as CSV (<see cref="Api.InsightApiEndpoints.Charts"/>).</summary>
    public static string InsightsCsv(string chart, InsightQuery query) => "api/insights/" + Uri.EscapeDataString(chart) + ".csv" + query.ToQueryString();

    /// <summary>The audit log, newest first; with <paramref name="before"/>, the entries older than that one.</summary>
    public static string Audit(long? before = null) =>
        before is { } id ? "audit?before=" + id.ToString(System.Globalization.CultureInfo.InvariantCulture) : "audit";

    /// <summary>The whole filtered list as a file: <paramref name="format"/> is <c>csv</c> or <c>json</c>.</summary>
    public static string BatchesExport(string format, BatchListQuery query) =>
        "api/batches/export." + format + query.FirstPage().ToQueryString();

    /// <summary>A batch's results through the JSON API: <paramref name="path"/> such as <c>results/export.csv</c>.</summary>
    public static string ResultsApi(string batchId, string path, ResultListQuery query) =>
        "api/batches/" + Uri.EscapeDataString(batchId) + "/" + path + (query with { After = null, Request = null }).ToQueryString();

    /// <summary>The new-batch page with the input file of a batch the API refused loaded, to fix and send again.</summary>
    public static string NewBatchFrom(string batchId, string connectionId) =>
        NewBatch + "?from=" + Uri.EscapeDataString(batchId) + "&connection=" + Uri.EscapeDataString(connectionId);

    /// <summary>One of a batch's original files, downloaded through the server (the key stays there).</summary>
    public static string ResultFile(string batchId, ResultFileKind kind, string connectionId) =>
        "api/batches/" + Uri.EscapeDataString(batchId) + "/files/" + kind.ToString().ToLowerInvariant() + "?connection=" + Uri.EscapeDataString(connectionId);
}
