using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Tests.Batches;

public sealed class BatchInsightsTests
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(TestBatches.Created);

    private static Batch Read(string json) => BatchReader.Read(json).Batch!;

    [Fact]
    public void Phases_OfACompletedBatch_EachEndWhereTheNextBegins()
    {
        var insights = BatchInsights.Of(Read(TestBatches.Json("b", "completed")), Created.AddDays(2));

        Assert.Collection(insights.Phases,
            p => Assert.Equal((BatchStatusKind.Validating, TimeSpan.FromSeconds(5)), (p.Kind, p.Duration!.Value)),
            p => Assert.Equal((BatchStatusKind.InProgress, TimeSpan.FromSeconds(595)), (p.Kind, p.Duration!.Value)),
            p => Assert.Equal((BatchStatusKind.Finalizing, TimeSpan.FromSeconds(100)), (p.Kind, p.Duration!.Value)));
        Assert.Null(insights.CurrentPhase);
        Assert.Null(insights.TimeToExpiry);
        Assert.Equal(BatchFlags.None, insights.Flags);
    }

    [Fact]
    public void CurrentPhase_OfARunningBatch_LastsUntilNow()
    {
        var now = Created.AddHours(3);

        var insights = BatchInsights.Of(Read(TestBatches.Json("b", "in_progress")), now);

        var current = Assert.IsType<BatchPhase>(insights.CurrentPhase);
        Assert.Equal(BatchStatusKind.InProgress, current.Kind);
        Assert.True(current.IsCurrent);
        Assert.Null(current.End);
        Assert.Equal(now - Created.AddSeconds(5), current.Duration);
        Assert.Equal(TimeSpan.FromHours(21), insights.TimeToExpiry);
        Assert.Equal(new RequestProgress(10, 3, 1, 6, 0.4), insights.Progress);
    }

    [Fact]
    public void Flags_ExpiringSoon_WhenARunningBatchHasLessThanTwoHoursLeft()
    {
        var insights = BatchInsights.Of(Read(TestBatches.Json("b", "in_progress")), Created.AddHours(23));

        Assert.True(insights.Flags.HasFlag(BatchFlags.ExpiringSoon));
        Assert.False(insights.Flags.HasFlag(BatchFlags.LongPhase));
    }

    [Fact]
    public void Flags_LongPhase_WhenFinalizingForHours()
    {
        var json = TestBatches.Json("b", "finalizing", change: b => b["finalizing_at"] = TestBatches.Created + 600);

        var insights = BatchInsights.Of(Read(json), Created.AddSeconds(600).AddHours(3));

        Assert.Equal(BatchStatusKind.Finalizing, insights.CurrentPhase!.Kind);
        Assert.Equal(TimeSpan.FromHours(3), insights.CurrentPhase.Duration);
        Assert.True(insights.Flags.HasFlag(BatchFlags.LongPhase));
    }

    [Fact]
    public void Phases_OfABatchCancelledWhileValidating_EndAtCancelled_AndShowHowLongTheCancelTook()
    {
        var json = TestBatches.Json("b", "cancelled", change: b =>
        {
            b["in_progress_at"] = null;
            b["cancelling_at"] = TestBatches.Created + 10;
            b["cancelled_at"] = TestBatches.Created + 10 + 2_820; // 47 minutes
            b["request_counts"] = System.Text.Json.Nodes.JsonNode.Parse("""{"total":0,"completed":0,"failed":0}""");
        });

        var insights = BatchInsights.Of(Read(json), Created.AddDays(1));

        Assert.Collection(insights.Phases,
            p => Assert.Equal(BatchStatusKind.Validating, p.Kind),
            p => Assert.Equal((BatchStatusKind.Cancelling, TimeSpan.FromMinutes(47)), (p.Kind, p.Duration!.Value)));
        Assert.Null(insights.Progress.Fraction);
    }

    [Fact]
    public void Flags_NotRun_ForAnExpiredBatchThatCountsTheExpiredRequestNowhere()
    {
        var json = TestBatches.Json("b", "expired", change: b =>
            b["request_counts"] = System.Text.Json.Nodes.JsonNode.Parse("""{"total":1,"completed":0,"failed":0}"""));

        var insights = BatchInsights.Of(Read(json), Created.AddDays(2));

        Assert.Equal(BatchFlags.NotRun, insights.Flags);
        Assert.Equal(1, insights.Progress.Pending);
    }

    [Theory]
    [InlineData("completed", 10, 5, 0, BatchFlags.CountsDoNotAddUp)]
    [InlineData("completed", 10, 8, 4, BatchFlags.CountsDoNotAddUp | BatchFlags.HighFailureRate)]
    [InlineData("cancelled", 10, 2, 0, BatchFlags.NotRun)]
    [InlineData("failed", 10, 0, 0, BatchFlags.NotRun)]
    [InlineData("expired", 10, 9, 3, BatchFlags.CountsDoNotAddUp | BatchFlags.HighFailureRate)]
    public void Flags_CountsDoNotAddUp_OnlyWhereUnrunRequestsDoNotExplainThem(string status, int total, int completed, int failed, BatchFlags expected)
    {
        var json = TestBatches.Json("b", status, change: b =>
            b["request_counts"] = new System.Text.Json.Nodes.JsonObject { ["total"] = total, ["completed"] = completed, ["failed"] = failed });

        Assert.Equal(expected, BatchInsights.Of(Read(json), Created.AddDays(2)).Flags & ~BatchFlags.CompletedWithoutOutput);
    }

    [Theory]
    [InlineData(90, 9, 0.10, false)]
    [InlineData(90, 10, 0.10, false)]
    [InlineData(89, 11, 0.10, true)]
    [InlineData(3, 1, 0.10, true)]
    [InlineData(3, 1, 0.50, false)]
    [InlineData(0, 0, 0.10, false)]
    public void Flags_HighFailureRate_FromTheFailedShareOfFinishedRequests_WhileRunningToo(int completed, int failed, double threshold, bool flagged)
    {
        var json = TestBatches.Json("b", "in_progress", total: 1000, completed: completed, failed: failed);

        var insights = BatchInsights.Of(Read(json), Created.AddMinutes(10), new BatchInsightOptions { FailureRate = threshold });

        Assert.Equal(flagged, insights.Flags.HasFlag(BatchFlags.HighFailureRate));
    }

    [Fact]
    public void Flags_CompletedAllFailed_AndWithoutOutput_WhenEveryRequestFailed()
    {
        var json = TestBatches.Json("b", "completed", change: b =>
        {
            b["output_file_id"] = null;
            b["error_file_id"] = "file-err";
            b["request_counts"] = System.Text.Json.Nodes.JsonNode.Parse("""{"total":9,"completed":0,"failed":9}""");
        });

        var insights = BatchInsights.Of(Read(json), Created.AddDays(1));

        Assert.Equal(BatchFlags.CompletedAllFailed | BatchFlags.CompletedWithoutOutput | BatchFlags.HighFailureRate, insights.Flags);
        Assert.Equal(1.0, insights.Progress.Fraction);
    }

    [Fact]
    public void Phases_IgnoreTimestampsAfterTheTerminalOne_AndNeverDecideTheStatus()
    {
        // Azure documents a failed batch with completed_at set and failed_at null.
        var json = """{"id":"b","status":"failed","created_at":100,"in_progress_at":110,"completed_at":200,"finalizing_at":300}""";

        var insights = BatchInsights.Of(Read(json), DateTimeOffset.FromUnixTimeSeconds(1_000));

        Assert.Equal(2, insights.Phases.Count);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(200), insights.Phases[^1].End);
        Assert.Null(insights.CurrentPhase);
    }

    [Fact]
    public void Insights_OfABatchWithNoTimestamps_HaveNoPhases()
    {
        var insights = BatchInsights.Of(Read("""{"id":"b","status":"in_progress"}"""), DateTimeOffset.UnixEpoch);

        Assert.Empty(insights.Phases);
        Assert.Null(insights.CurrentPhase);
        Assert.Equal(BatchFlags.None, insights.Flags);
    }

    [Fact]
    public void TheFailureRateThreshold_IsReadFromConfiguration_AndABadOneIsRefusedNamingItsKey()
    {
        using var services = TestClients.Services(new() { ["BatchDashboard:Flags:FailureRate"] = "0.25" });
        using var bad = TestClients.Services(new() { ["BatchDashboard:Flags:FailureRate"] = "25" });

        Assert.Equal(0.25, services.GetRequiredService<IOptions<BatchInsightOptions>>().Value.FailureRate);
        var error = Assert.Throws<OptionsValidationException>(() => bad.GetRequiredService<IOptions<BatchInsightOptions>>().Value);
        Assert.Contains("BatchDashboard:Flags:FailureRate", error.Message, StringComparison.Ordinal);
    }
}
