using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// The progress-over-time chart's series, in time and request counts: completed, failed and all finished requests
/// from the cache's snapshots, held at the current counts up to now while the batch runs, and the pace carried on
/// from now to the estimated end, or to the window's end when that comes first. The chart starts when the batch went
/// in progress: before the first counts the cache saw, a straight line from none finished, marked as estimated. A
/// line at 100% (every request) runs across, so the gap left is plain.
/// </summary>
/// <param name="Points">The moments drawn, each with its counts (the chart's table of numbers too).</param>
/// <param name="Projection">From now at the finished count to the chart's right edge at the pace; empty when there is none.</param>
/// <param name="LeadIn">From <c>in_progress_at</c> at none finished to the first counts seen; empty when they were seen from the start.</param>
/// <param name="Total">Every request of the batch: the line at 100%.</param>
/// <param name="WindowEnd">When the completion window ends, for a batch in progress; the chart ends there when the pace would not finish before.</param>
public sealed record ProgressChartData(
    IReadOnlyList<ProgressChartPoint> Points,
    IReadOnlyList<ProgressChartPoint> Projection,
    IReadOnlyList<ProgressChartPoint> LeadIn,
    int MaxY,
    DateTimeOffset Start,
    DateTimeOffset End,
    int Total,
    DateTimeOffset? WindowEnd)
{
    /// <summary>The projection reaches the window's end rather than every request.</summary>
    public bool EndsAtWindow => WindowEnd is { } window && Projection.Count == 2 && Projection[1].At == window;

    /// <summary>
    /// Null when there is not enough to draw: no counts yet, or a single moment with nothing known before it.
    /// <paramref name="batch"/> gives when it went in progress, and for a batch first seen ended, when its requests were
    /// done (finalizing, or its end).
    /// </summary>
    public static ProgressChartData? Of(IReadOnlyList<BatchProgressPoint> history, RequestProgress current, bool running,
        ProgressProjection projection, DateTimeOffset now, Batch? batch = null)
    {
        var points = history.Where(p => p.Total is > 0).Select(p => new ProgressChartPoint(p.ObservedAt, p.Completed ?? 0, p.Failed ?? 0)).ToList();
        if (running && current.Total > 0 && (points.Count == 0 || now > points[^1].At))
        {
            // The sync has seen no change since the last snapshot: the counts held until now.
            points.Add(new ProgressChartPoint(now, current.Completed, current.Failed));
        }

        if (!running && batch is not null && points.Count == 1 && history.FirstOrDefault(p => p.Total is > 0) is { } only
            && BatchStatus.Parse(only.Status).IsTerminal && (batch.FinalizingAt ?? EndOf(batch)) is { } done && done < points[0].At)
        {
            // First seen ended (imported, or ended while the dashboard was off): its counts stand from when its
            // requests were done, not from when the cache happened to read them.
            points[0] = points[0] with { At = done };
        }

        IReadOnlyList<ProgressChartPoint> leadIn = [];
        if (batch?.InProgressAt is { } began && points.Count > 0 && began < points[0].At && points[0].Finished > 0)
        {
            leadIn = [new ProgressChartPoint(began, 0, 0), points[0]];
        }

        // Without the lead-in, a line needs two moments apart.
        if (points.Count == 0 || (leadIn.Count == 0 && (points.Count < 2 || points[^1].At <= points[0].At)))
        {
            return null;
        }

        var start = leadIn.Count > 0 ? leadIn[0].At : points[0].At;
        var last = points[^1].At;
        var end = last;
        var maxY = Math.Max(1, Math.Max(current.Total, history.Max(p => p.Total ?? 0)));
        var window = running && batch?.Status.Kind == BatchStatusKind.InProgress && batch.ExpiresAt is { } expires && expires > last ? expires : (DateTimeOffset?)null;
        if (running && projection is { RequestsPerMinute: > 0, EstimatedEnd: { } finish })
        {
            // To the estimated end; the window's end stops it when that comes first (the rest would expire unrun).
            end = window is { } closes && closes < finish ? closes : finish;
        }

        IReadOnlyList<ProgressChartPoint> line = [];
        if (end > last && projection.RequestsPerMinute is { } pace)
        {
            var doneNow = current.Completed + current.Failed;
            var atEnd = (int)Math.Min(maxY, Math.Round(doneNow + (pace * (end - last).TotalMinutes)));
            // The projection is of finished requests: all of them counted as completed, for the chart's one line.
            line = [new ProgressChartPoint(last, doneNow, 0), new ProgressChartPoint(end, atEnd, 0)];
        }

        return new ProgressChartData(points, line, leadIn, maxY, start, end, current.Total, window);
    }

    private static DateTimeOffset? EndOf(Batch batch) => batch.CompletedAt ?? batch.FailedAt ?? batch.ExpiredAt ?? batch.CancelledAt;
}

/// <summary>The counts at a moment.</summary>
public sealed record ProgressChartPoint(DateTimeOffset At, int Completed, int Failed)
{
    public int Finished => Completed + Failed;
}
