using System.Text.Json.Serialization;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;

namespace BatchDashboard.Dashboard.Api;

/// <summary>
/// A cached batch as the JSON API and the exports return it: the Batch object's fields, with the derived ones the
/// pages show (progress, phases, flags, time to expiry), times in ISO 8601.
/// </summary>
public sealed record BatchResource(
    string Id,
    string Connection,
    string Status,
    string? Endpoint,
    string? Model,
    string? InputFileId,
    string? OutputFileId,
    string? ErrorFileId,
    string? CompletionWindow,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? InProgressAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? FinalizingAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? FailedAt,
    DateTimeOffset? ExpiredAt,
    DateTimeOffset? CancellingAt,
    DateTimeOffset? CancelledAt,
    RequestCountsResource RequestCounts,
    double? Progress,
    BatchUsage? Usage,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<BatchError> Errors,
    IReadOnlyList<string> Flags,
    bool NeedsAttention,
    IReadOnlyList<PhaseResource> Phases,
    double? SecondsToExpiry,
    DateTimeOffset UpdatedAt)
{
    /// <summary>
    /// The counts as the cache saw them change (<c>GET /api/batches/{id}</c> only), summarized: at most
    /// <see cref="MaxHistory"/> points, the first and last always among them, evenly spread over the rest.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ProgressPointResource>? History { get; init; }

    /// <summary>How many snapshots the cache holds, of which <see cref="History"/> shows at most <see cref="MaxHistory"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? HistoryPoints { get; init; }

    public const int MaxHistory = 200;

    /// <summary>Pace and estimated end (<c>GET /api/batches/{id}</c> only), as the detail page shows them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ThroughputResource? Throughput { get; init; }

    /// <summary>The detail page's view of a batch: its fields, with its history and pace.</summary>
    public static BatchResource WithHistory(CachedBatch cached, IReadOnlyList<BatchProgressPoint> history, DateTimeOffset now, BatchInsightOptions flags)
    {
        var projection = ProgressProjection.Of(cached.Batch, BatchInsights.Of(cached.Batch, now, flags), history, now);
        return From(cached, now, flags) with
        {
            History = [.. Summarize(history).Select(p => new ProgressPointResource(p.ObservedAt, p.Status, p.Total, p.Completed, p.Failed))],
            HistoryPoints = history.Count,
            Throughput = new ThroughputResource(projection.RequestsPerMinute,
                projection.Basis == ThroughputBasis.None ? null : JsonNamingPolicy(projection.Basis.ToString()),
                projection.EstimatedEnd, projection.UnfinishedAtExpiry, projection.Span?.TotalSeconds),
        };
    }

    /// <summary>At most <see cref="MaxHistory"/> of the points, evenly spread, the first and the last kept.</summary>
    private static IEnumerable<BatchProgressPoint> Summarize(IReadOnlyList<BatchProgressPoint> history) =>
        history.Count <= MaxHistory
            ? history
            : Enumerable.Range(0, MaxHistory).Select(i => history[(int)Math.Round(i * (history.Count - 1) / (double)(MaxHistory - 1))]);

    public static BatchResource From(CachedBatch cached, DateTimeOffset now, BatchInsightOptions flags)
    {
        var batch = cached.Batch;
        var insights = BatchInsights.Of(batch, now, flags);
        var progress = insights.Progress;
        return new BatchResource(
            batch.Id,
            cached.ConnectionId,
            batch.Status.Name,
            batch.Endpoint,
            batch.Model,
            batch.InputFileId,
            batch.OutputFileId,
            batch.ErrorFileId,
            batch.CompletionWindow,
            batch.CreatedAt,
            batch.InProgressAt,
            batch.ExpiresAt,
            batch.FinalizingAt,
            batch.CompletedAt,
            batch.FailedAt,
            batch.ExpiredAt,
            batch.CancellingAt,
            batch.CancelledAt,
            new RequestCountsResource(progress.Total, progress.Completed, progress.Failed, progress.Pending),
            progress.Fraction,
            batch.Usage is { IsEmpty: false } usage ? usage : null, // zeros while unreported are no figures
            batch.Metadata,
            batch.Errors,
            [.. Enum.GetValues<BatchFlags>().Where(f => f != BatchFlags.None && insights.Flags.HasFlag(f)).Select(f => JsonNamingPolicy(f.ToString()))],
            BatchAttention.Needs(batch, insights),
            [.. insights.Phases.Select(p => new PhaseResource(BatchStatus.NameOf(p.Kind), p.Start, p.End, p.Duration?.TotalSeconds, p.IsCurrent))],
            insights.TimeToExpiry?.TotalSeconds,
            cached.UpdatedAt);
    }

    private static string JsonNamingPolicy(string name) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}

public sealed record RequestCountsResource(int Total, int Completed, int Failed, int Pending);

public sealed record ProgressPointResource(DateTimeOffset ObservedAt, string Status, int? Total, int? Completed, int? Failed);

/// <param name="Basis"><c>recent</c> (about the last 15 minutes of snapshots) or <c>average</c> (the whole in-progress phase).</param>
/// <param name="MeasuredOverSeconds">How long the pace was measured over.</param>
public sealed record ThroughputResource(double? RequestsPerMinute, string? Basis, DateTimeOffset? EstimatedEnd, int? UnfinishedAtExpiry,
    double? MeasuredOverSeconds);

public sealed record PhaseResource(string Status, DateTimeOffset Start, DateTimeOffset? End, double? DurationSeconds, bool Current);

/// <summary>One page of <c>GET /api/batches</c>.</summary>
/// <param name="Matching">Batches the query selects, on every page.</param>
/// <param name="NeedsAttention">Of the batches the query selects whatever their statuses, those that need attention.</param>
public sealed record BatchPageResource(IReadOnlyList<BatchResource> Data, string? NextCursor, int Matching, int NeedsAttention);

public sealed record ApiErrorResource(ApiErrorDetail Error);

/// <summary>
/// An error in the OpenAI API's shape (<c>{"error": {"message", "type", "param", "code"}}</c>), so a client of that
/// API reads ours the same way; <see cref="Problems"/> adds each unusable query value when there are several.
/// </summary>
public sealed record ApiErrorDetail(
    string Message,
    string Type,
    string? Param,
    string? Code,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Problems = null)
{
    /// <summary>The error for an HTTP status, typed and coded as the OpenAI API types and codes its own.</summary>
    public static ApiErrorResource For(int status, string message, IReadOnlyList<string>? problems = null, string? param = null) => new(status switch
    {
        400 => new ApiErrorDetail(problems is { Count: > 0 } ? $"{message} {string.Join("; ", problems)}." : message, "invalid_request_error", param, "invalid_value", problems),
        401 => new ApiErrorDetail(message, "invalid_request_error", null, "unauthenticated"),
        403 => new ApiErrorDetail(message, "invalid_request_error", null, "forbidden"),
        404 => new ApiErrorDetail(message, "invalid_request_error", null, "not_found"),
        429 => new ApiErrorDetail(message, "requests", null, "rate_limit_exceeded"),
        >= 500 => new ApiErrorDetail(message, "server_error", null, null),
        _ => new ApiErrorDetail(message, "invalid_request_error", null, null),
    });
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never, WriteIndented = false)]
[JsonSerializable(typeof(BatchResource))]
[JsonSerializable(typeof(BatchPageResource))]
[JsonSerializable(typeof(ApiErrorResource))]
[JsonSerializable(typeof(IAsyncEnumerable<BatchResource>))]
[JsonSerializable(typeof(ResultPageResource))]
[JsonSerializable(typeof(ResultSummaryResource))]
[JsonSerializable(typeof(ResultDetailResource))]
[JsonSerializable(typeof(CapacityResource))]
[JsonSerializable(typeof(CapacityFitResource))]
[JsonSerializable(typeof(InsightReportResource))]
internal sealed partial class DashboardApiJson : JsonSerializerContext;
