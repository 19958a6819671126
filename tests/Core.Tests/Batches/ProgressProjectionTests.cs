using System.Text.Json.Nodes;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Core.Tests.Batches;

public sealed class ProgressProjectionTests
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(TestBatches.Created);
    private static readonly DateTimeOffset Started = Created.AddSeconds(5);

    private static Batch Running(int total, int completed, int failed) =>
        BatchReader.Read(TestBatches.Json("b", "in_progress", total: total, completed: completed, failed: failed)).Batch!;

    private static BatchProgressPoint Point(DateTimeOffset at, int completed, int failed = 0, int total = 1000) =>
        new(at, "in_progress", total, completed, failed);

    private static ProgressProjection Project(Batch batch, DateTimeOffset now, params BatchProgressPoint[] history) =>
        ProgressProjection.Of(batch, BatchInsights.Of(batch, now), history, now);

    [Fact]
    public void RunningBatch_IsJudgedOnTheLast15Minutes_UpToNow()
    {
        var now = Started.AddMinutes(60);
        // Slow at first (100 in 30 min), then 300 in the last 20 minutes.
        var batch = Running(1000, completed: 380, failed: 20);

        var projection = Project(batch, now,
            Point(Started.AddMinutes(10), 50), Point(Started.AddMinutes(40), 100), Point(Started.AddMinutes(47), 150), Point(Started.AddMinutes(58), 390, 10));

        // From the snapshot 15 or more minutes ago (at 40 min: 100 finished) to now (400 finished): 300 in 20 minutes.
        Assert.Equal(ThroughputBasis.Recent, projection.Basis);
        Assert.Equal(15, projection.RequestsPerMinute!.Value, 6);
        Assert.Equal(now.AddMinutes(600 / 15.0), projection.EstimatedEnd);
        Assert.Null(projection.UnfinishedAtExpiry);
    }

    [Fact]
    public void StalledBatch_HasNoEstimatedEnd_AndAPaceOfZero()
    {
        var now = Started.AddMinutes(60);
        var batch = Running(1000, completed: 400, failed: 0);

        var projection = Project(batch, now, Point(Started.AddMinutes(10), 200), Point(Started.AddMinutes(30), 400));

        Assert.Equal(0, projection.RequestsPerMinute);
        Assert.Null(projection.EstimatedEnd);
    }

    [Fact]
    public void YoungHistory_FallsBackToTheAverageSinceTheBatchStarted()
    {
        var now = Started.AddMinutes(10);
        var batch = Running(1000, completed: 100, failed: 0);

        var projection = Project(batch, now, Point(now.AddSeconds(-20), 95));

        Assert.Equal(ThroughputBasis.Average, projection.Basis);
        Assert.Equal(10, projection.RequestsPerMinute!.Value, 6);
        Assert.Equal(now.AddMinutes(90), projection.EstimatedEnd);
    }

    [Fact]
    public void PaceThatRunsPastTheWindow_SaysHowManyRequestsWouldExpireUnrun()
    {
        // 23 h in, 1 request a minute, 200 to go: 60 run before the 24 h window ends, 140 do not.
        var now = Created.AddHours(23);
        var batch = Running(1000, completed: 800, failed: 0);

        var projection = Project(batch, now, Point(now.AddMinutes(-30), 770));

        Assert.Equal(1, projection.RequestsPerMinute!.Value, 6);
        Assert.Equal(now.AddMinutes(200), projection.EstimatedEnd);
        Assert.Equal(140, projection.UnfinishedAtExpiry);
    }

    [Fact]
    public void FinishedBatch_ReportsItsAverageOverTheInProgressPhase_WithoutAnEnd()
    {
        // TestBatches: in progress from created + 5 s to finalizing at created + 600 s, 10 requests.
        var batch = BatchReader.Read(TestBatches.Json("b", "completed")).Batch!;

        var projection = Project(batch, Created.AddDays(3));

        Assert.Equal(ThroughputBasis.Average, projection.Basis);
        Assert.Equal(10 / (595 / 60.0), projection.RequestsPerMinute!.Value, 6);
        Assert.Null(projection.EstimatedEnd);
    }

    [Fact]
    public void FinalizingBatch_HasAPace_ButNoEstimatedEnd()
    {
        var batch = BatchReader.Read(TestBatches.Json("b", "finalizing", total: 10, completed: 10, failed: 0,
            change: b => b["finalizing_at"] = TestBatches.Created + 605)).Batch!;

        var projection = Project(batch, Created.AddSeconds(700));

        Assert.NotNull(projection.RequestsPerMinute);
        Assert.Null(projection.EstimatedEnd);
    }

    [Theory]
    [InlineData("validating")]
    [InlineData("failed")]
    public void BatchThatRanNothing_HasNoFigures(string status)
    {
        var batch = BatchReader.Read(TestBatches.Json("b", status, total: 0, completed: 0, failed: 0, change: b =>
        {
            b["in_progress_at"] = null;
            b["request_counts"] = new JsonObject { ["total"] = 0, ["completed"] = 0, ["failed"] = 0 };
        })).Batch!;

        Assert.Same(ProgressProjection.None, Project(batch, Created.AddHours(1)));
    }
}
