using System.Globalization;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// The progress-over-time chart in SVG coordinates (<see cref="Width"/> by <see cref="Height"/>, y down): completed,
/// failed and all finished requests from the cache's snapshots, held at the current counts up to now while the batch
/// runs, and the recent pace carried on towards its estimated end.
/// </summary>
/// <param name="Projection">From now at the current count to the chart's right edge at the recent pace.</param>
/// <param name="NowX">Where now is, while the batch runs.</param>
public sealed record ProgressChartGeometry(
    string CompletedLine,
    string FailedLine,
    string FinishedArea,
    (double X1, double Y1, double X2, double Y2)? Projection,
    double? NowX,
    int MaxY,
    DateTimeOffset Start,
    DateTimeOffset End)
{
    public const double Width = 600;
    public const double Height = 160;

    /// <summary>How far past now the chart may reach to show the projection, as a share of the time observed so far.</summary>
    public const double ProjectionShare = 0.5;

    /// <summary>Null when there is not enough to draw: no counts yet, or a single moment.</summary>
    public static ProgressChartGeometry? Of(IReadOnlyList<BatchProgressPoint> history, RequestProgress current, bool running,
        ProgressProjection projection, DateTimeOffset now)
    {
        var points = history.Where(p => p.Total is > 0).Select(p => (At: p.ObservedAt, Completed: p.Completed ?? 0, Failed: p.Failed ?? 0)).ToList();
        if (running && current.Total > 0 && (points.Count == 0 || now > points[^1].At))
        {
            // The sync has seen no change since the last snapshot: the counts held until now.
            points.Add((now, current.Completed, current.Failed));
        }

        if (points.Count < 2 || points[^1].At <= points[0].At)
        {
            return null;
        }

        var start = points[0].At;
        var last = points[^1].At;
        var end = last;
        (double, double, double, double)? line = null;
        var maxY = Math.Max(1, Math.Max(current.Total, history.Max(p => p.Total ?? 0)));
        if (running && projection is { RequestsPerMinute: > 0, EstimatedEnd: { } finish })
        {
            var reach = last + ((last - start) * ProjectionShare);
            end = finish < reach ? finish : reach;
        }

        double X(DateTimeOffset at) => Round(Width * (at - start).TotalSeconds / (end - start).TotalSeconds);
        double Y(double value) => Round(Height - (Height * Math.Min(value, maxY) / maxY));
        string Line(Func<(DateTimeOffset At, int Completed, int Failed), double> value) =>
            string.Join(' ', points.Select(p => $"{Format(X(p.At))},{Format(Y(value(p)))}"));

        if (end > last && projection.RequestsPerMinute is { } pace)
        {
            var doneNow = current.Completed + current.Failed;
            line = (X(last), Y(doneNow), X(end), Y(doneNow + (pace * (end - last).TotalMinutes)));
        }

        var finished = Line(p => p.Completed + p.Failed);
        var area = $"{Format(X(start))},{Format(Height)} {finished} {Format(X(last))},{Format(Height)}";
        return new ProgressChartGeometry(
            Line(p => p.Completed), Line(p => p.Failed), area, line, running ? X(last) : null, maxY, start, end);
    }

    private static double Round(double value) => Math.Round(value, 2);

    private static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
