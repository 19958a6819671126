using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;
using BatchDashboard.Dashboard.Model;

namespace BatchDashboard.Dashboard.Tests.Model;

public sealed class ProgressChartGeometryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private static BatchProgressPoint Point(int minute, int completed, int failed, int total = 100) =>
        new(T0.AddMinutes(minute), "in_progress", total, completed, failed);

    private static RequestProgress Progress(int total, int completed, int failed) =>
        new(total, completed, failed, total - completed - failed, (completed + failed) / (double)total);

    [Fact]
    public void FinishedBatch_IsDrawnFromItsSnapshots_ScaledToItsTotal()
    {
        var chart = ProgressChartGeometry.Of([Point(0, 0, 0), Point(5, 40, 10), Point(10, 80, 20)], Progress(100, 80, 20), running: false, ProgressProjection.None, T0.AddHours(1))!;

        // x: 600 wide over 10 minutes; y: 160 high, 0 at the bottom, 100 requests at the top.
        Assert.Equal("0,160 300,96 600,32", chart.CompletedLine);
        Assert.Equal("0,160 300,144 600,128", chart.FailedLine);
        Assert.Equal("0,160 0,160 300,80 600,0 600,160", chart.FinishedArea);
        Assert.Null(chart.NowX);
        Assert.Null(chart.Projection);
        Assert.Equal((100, T0, T0.AddMinutes(10)), (chart.MaxY, chart.Start, chart.End));
    }

    [Fact]
    public void RunningBatch_HoldsItsCountsUntilNow_AndCarriesThePaceOn()
    {
        var now = T0.AddMinutes(20);
        var projection = new ProgressProjection(4, ThroughputBasis.Recent, now.AddMinutes(15), null);

        var chart = ProgressChartGeometry.Of([Point(0, 0, 0), Point(10, 40, 0)], Progress(100, 40, 0), running: true, projection, now)!;

        // 20 minutes observed, room for half as much again: the right edge is 30 minutes in (before the estimated end).
        Assert.Equal(T0.AddMinutes(30), chart.End);
        Assert.Equal("0,160 200,96 400,96", chart.CompletedLine);
        Assert.Equal(400, chart.NowX);
        // From now at 40 to the edge 10 minutes on at 4 a minute: 80.
        Assert.Equal((400, 96, 600, 32), chart.Projection);
    }

    [Fact]
    public void Projection_StopsAtTheEstimatedEnd_WhenThatComesFirst()
    {
        var now = T0.AddMinutes(20);
        var projection = new ProgressProjection(12, ThroughputBasis.Recent, now.AddMinutes(5), null);

        var chart = ProgressChartGeometry.Of([Point(0, 0, 0), Point(20, 40, 0)], Progress(100, 40, 0), running: true, projection, now)!;

        Assert.Equal(now.AddMinutes(5), chart.End);
        Assert.Equal((480, 96, 600, 0), chart.Projection);
    }

    [Fact]
    public void NothingToDraw_WithoutCounts_OrWithASingleMoment()
    {
        Assert.Null(ProgressChartGeometry.Of([], Progress(100, 0, 0) with { Total = 0 }, running: true, ProgressProjection.None, T0));
        Assert.Null(ProgressChartGeometry.Of([Point(0, 10, 0)], Progress(100, 10, 0), running: false, ProgressProjection.None, T0.AddHours(1)));
        Assert.Null(ProgressChartGeometry.Of([Point(0, 10, 0)], Progress(100, 10, 0), running: true, ProgressProjection.None, T0));
    }
}
