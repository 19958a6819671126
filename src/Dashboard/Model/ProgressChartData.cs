using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// The progress-over-time chart's series, in time and request counts: completed, failed and all finished requests
/// from the cache's snapshots, held at the current counts up to now while the batch runs, and the recent pace carried
/// on from now towards the estimated end.
/// </summary>
/// <param name="Points">The moments drawn, each with its counts (the chart's table of numbers too).</param>
/// <param name="Projection">From now at the finished count to the chart's right edge at the recent pace; empty when there is none.</param>
public sealed record ProgressChartData(
    IReadOnlyList<ProgressChartPoint> Points,
    IReadOnlyList<ProgressChartPoint> Projection,
    int MaxY,
    DateTimeOffset Start,
    DateTimeOffset End)
{
    /// <summary>How far past now the chart may reach to show the projection, as a share of the time observed so far.</summary>
    public const double ProjectionShare = 0.5;

    /// <summary>Null when there is not enough to draw: no counts yet, or a single moment.</summary>
    public static ProgressChartData? Of(IReadOnlyList<BatchProgressPoint> history, RequestProgress current, bool running,
        ProgressProjection projection, DateTimeOffset now)
    {
        var points = history.Where(p => p.Total is > 0).Select(p => new ProgressChartPoint(p.ObservedAt, p.Completed ?? 0, p.Failed ?? 0)).ToList();
        if (running && current.Total > 0 && (points.Count == 0 || now > points[^1].At))
        {
            // The sync has seen no change since the last snapshot: the counts held until now.
            points.Add(new ProgressChartPoint(now, current.Completed, current.Failed));
        }

        if (points.Count < 2 || points[^1].At <= points[0].At)
        {
            return null;
        }

        var start = points[0].At;
        var last = points[^1].At;
        var end = last;
        var maxY = Math.Max(1, Math.Max(current.Total, history.Max(p => p.Total ?? 0)));
        if (running && projection is { RequestsPerMinute: > 0, EstimatedEnd: { } finish })
        {
            var reach = last + ((last - start) * ProjectionShare);
            end = finish < reach ? finish : reach;
        }

        IReadOnlyList<ProgressChartPoint> line = [];
        if (end > last && projection.RequestsPerMinute is { } pace)
        {
            var doneNow = current.Completed + current.Failed;
            var atEnd = (int)Math.Min(maxY, Math.Round(doneNow + (pace * (end - last).TotalMinutes)));
            // The projection is of finished requests: all of them counted as completed, for the chart's one line.
            line = [new ProgressChartPoint(last, doneNow, 0), new ProgressChartPoint(end, atEnd, 0)];
        }

        return new ProgressChartData(points, line, maxY, start, end);
    }
}

/// <summary>The counts at a moment.</summary>
public sealed record ProgressChartPoint(DateTimeOffset At, int Completed, int Failed)
{
    public int Finished => Completed + Failed;
}
