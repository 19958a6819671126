using System.Globalization;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;

namespace BatchDashboard.Dashboard.Model;

/// <summary>One row of the batch list, shaped for display from a cached batch at a moment.</summary>
public sealed record BatchRowViewModel(
    string Id,
    string ShortId,
    string ConnectionId,
    string Status,
    string StatusClass,
    string Endpoint,
    string Model,
    string Created,
    string CreatedExact,
    string Requests,
    int Failed)
{
    public static BatchRowViewModel From(CachedBatch cached, DateTimeOffset now)
    {
        var batch = cached.Batch;
        var insights = BatchInsights.Of(batch, now);
        var progress = insights.Progress;
        return new BatchRowViewModel(
            batch.Id,
            ShortIdOf(batch.Id),
            cached.ConnectionId,
            batch.Status.Name.Replace('_', ' '),
            "status-" + (batch.Status.Kind == BatchStatusKind.Unknown ? "unknown" : BatchStatus.NameOf(batch.Status.Kind).Replace('_', '-')),
            batch.Endpoint ?? "—",
            batch.Model ?? "—",
            RelativeTime.Format(batch.CreatedAt, now),
            RelativeTime.Exact(batch.CreatedAt),
            progress.Total > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{progress.Completed + progress.Failed:N0} / {progress.Total:N0}")
                : "—",
            progress.Failed);
    }

    /// <summary>Enough of the id to tell batches apart: the prefix and the last eight characters.</summary>
    public static string ShortIdOf(string id) =>
        id.Length <= 20 ? id : $"{id[..6]}…{id[^8..]}";
}
