using BatchDashboard.Core.Queries;

namespace BatchDashboard.Core.Batches;

/// <summary>Where a throughput figure comes from.</summary>
public enum ThroughputBasis
{
    /// <summary>No figure: nothing has run yet, or too little is known.</summary>
    None,

    /// <summary>The pace over the last <see cref="ProgressProjection.Window"/> of the cache's snapshots, up to now.</summary>
    Recent,

    /// <summary>The average over the whole time the batch was (or has been) in progress.</summary>
    Average,
}

/// <summary>
/// How fast a batch finishes requests and, while it runs, when it would end at that pace: from the cache's snapshots
/// of its counts while it runs (so a batch that sped up, slowed down or stalled is judged on its recent pace), and
/// from its own timestamps once it has finished.
/// </summary>
/// <param name="RequestsPerMinute">Completed and failed requests per minute; null when unknown.</param>
/// <param name="EstimatedEnd">When the last pending request would finish at that pace (running batches only).</param>
/// <param name="UnfinishedAtExpiry">When that is after the completion window ends: about how many requests would expire unrun.</param>
/// <param name="Span">How long the pace was measured over: the recent stretch of snapshots, or the whole in-progress phase.</param>
public sealed record ProgressProjection(double? RequestsPerMinute, ThroughputBasis Basis, DateTimeOffset? EstimatedEnd, int? UnfinishedAtExpiry,
    TimeSpan? Span = null)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>A recent pace needs at least this much observed time; a shorter span falls back to the average.</summary>
    public static readonly TimeSpan MinimumSpan = TimeSpan.FromMinutes(1);

    public static ProgressProjection None { get; } = new(null, ThroughputBasis.None, null, null);

    public static ProgressProjection Of(Batch batch, BatchInsights insights, IReadOnlyList<BatchProgressPoint> history, DateTimeOffset now)
    {
        var progress = insights.Progress;
        var done = progress.Completed + progress.Failed;
        if (!batch.Status.IsTerminal)
        {
            var (rate, span, basis) = RecentRate(history, done, now) is { } recent
                ? (recent.PerMinute, recent.Span, ThroughputBasis.Recent)
                : AverageRate(insights, done) is { } average ? (average.PerMinute, average.Span, ThroughputBasis.Average)
                : ((double?)null, TimeSpan.Zero, ThroughputBasis.None);
            if (rate is not { } perMinute)
            {
                return None;
            }

            if (perMinute <= 0 || progress.Pending == 0 || batch.Status.Kind != BatchStatusKind.InProgress)
            {
                return new(perMinute, basis, null, null, span);
            }

            var end = now.AddMinutes(progress.Pending / perMinute);
            int? unfinished = batch.ExpiresAt is { } expiry && end > expiry
                ? Math.Max(0, progress.Pending - (int)Math.Max(0, perMinute * (expiry - now).TotalMinutes))
                : null;
            return new(perMinute, basis, end, unfinished, span);
        }

        return AverageRate(insights, done) is { } finished ? new(finished.PerMinute, ThroughputBasis.Average, null, null, finished.Span) : None;
    }

    /// <summary>
    /// From the latest snapshot at least <see cref="Window"/> before now (or the first one) to now, whose counts are
    /// the batch's current ones: a stall since the last change lowers the pace, as it should.
    /// </summary>
    private static (double PerMinute, TimeSpan Span)? RecentRate(IReadOnlyList<BatchProgressPoint> history, int doneNow, DateTimeOffset now)
    {
        BatchProgressPoint? start = null;
        foreach (var point in history)
        {
            if (point.Total is not > 0 || point.ObservedAt > now)
            {
                continue;
            }

            if (start is null || point.ObservedAt <= now - Window)
            {
                start = point;
            }
        }

        if (start is null || now - start.ObservedAt < MinimumSpan)
        {
            return null;
        }

        var finished = doneNow - ((start.Completed ?? 0) + (start.Failed ?? 0));
        var span = now - start.ObservedAt;
        return (Math.Max(0, finished) / span.TotalMinutes, span);
    }

    /// <summary>Requests finished per minute of the in-progress phase (as <see cref="BatchInsights"/> dates it): to its end, or to now while it lasts.</summary>
    private static (double PerMinute, TimeSpan Span)? AverageRate(BatchInsights insights, int done) =>
        done > 0 && insights.Phases.LastOrDefault(p => p.Kind == BatchStatusKind.InProgress) is { Duration: { } lasted } && lasted >= TimeSpan.FromSeconds(1)
            ? (done / lasted.TotalMinutes, lasted)
            : null;
}
