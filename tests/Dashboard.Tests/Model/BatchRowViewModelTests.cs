using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;
using BatchDashboard.Dashboard.Model;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Dashboard.Tests.Model;

public sealed class BatchRowViewModelTests
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(TestBatches.Created);

    private static BatchRowViewModel Row(string json, DateTimeOffset now, string connection = "openai", BatchInsightOptions? options = null) =>
        BatchRowViewModel.From(new CachedBatch(connection, BatchReader.Read(json).Batch!, Created, Created), now, options ?? BatchInsightOptions.Default);

    [Fact]
    public void Row_OfARunningBatch_ShowsItsProgressPhaseAgeAndTags()
    {
        var row = Row(TestBatches.Json("batch_68ffc52039d08190aac1dd7fdc35826f", "in_progress"), Created.AddMinutes(30));

        Assert.Equal("batch_…dc35826f", row.ShortId);
        Assert.Equal(BatchStatusKind.InProgress, row.Status.Kind);
        Assert.Equal("29 min", row.PhaseAge);
        Assert.Equal("4 / 10", row.Requests);
        Assert.Equal(1, row.Failed);
        Assert.Equal(Created, row.CreatedAt);
        Assert.Equal([new("project", "eval"), new("run", "batch_68ffc52039d08190aac1dd7fdc35826f")], row.Tags);
        // 1 of its 4 finished requests failed: a quarter, over the 10% that flags a batch while it runs.
        Assert.Equal(["25% failed"], row.Flags.Select(f => f.Label));
        Assert.Equal("1 request of the 4 finished failed, more than the 10% that flags a batch.", row.Flags[0].Explanation);
        Assert.Null(row.FirstError);
    }

    [Fact]
    public void Href_EncodesTheIdAndTheConnection()
    {
        var row = Row(TestBatches.Json("batch/with space", "completed"), Created.AddDays(1), connection: "azure eu");

        Assert.Equal("batches/batch%2Fwith%20space?connection=azure%20eu", row.Href);
        Assert.Equal("", row.PhaseAge); // a finished batch is in no phase
    }

    [Fact]
    public void Flags_NameWhatNeedsASecondLook()
    {
        var stuck = Row(TestBatches.Json("b", "finalizing", failed: 0, change: b => b["finalizing_at"] = TestBatches.Created + 600), Created.AddSeconds(600).AddHours(3));
        var expiring = Row(TestBatches.Json("b", "in_progress", failed: 0), Created.AddHours(23).AddMinutes(21));
        var allFailed = Row(TestBatches.Json("b", "completed", total: 5, failed: 5), Created.AddDays(1));
        var cancelled = Row(TestBatches.Json("b", "cancelled", total: 10, completed: 2, failed: 0, change: b => b["request_counts"]!["completed"] = 2), Created.AddDays(1));

        Assert.Equal(["finalizing for 3 h"], stuck.Flags.Select(f => f.Label));
        Assert.Contains("longer than usual", stuck.Flags[0].Explanation, StringComparison.Ordinal);
        Assert.Equal(["expires in 39 min"], expiring.Flags.Select(f => f.Label));
        Assert.Equal(["all failed"], allFailed.Flags.Select(f => f.Label));
        Assert.Equal(["8 not run"], cancelled.Flags.Select(f => f.Label));
        Assert.Equal(FlagTone.Note, cancelled.Flags[0].Tone);
        Assert.Equal("8 requests were not run before the batch was cancelled. Its results page retries them.", cancelled.Flags[0].Explanation);
    }

    [Fact]
    public void CountsThatDoNotAddUp_AreFlagged_OnlyWhereNothingExplainsThem()
    {
        static Action<System.Text.Json.Nodes.JsonObject> Counts(int completed, int failed) => b =>
        {
            b["request_counts"]!["completed"] = completed;
            b["request_counts"]!["failed"] = failed;
        };
        var completedShort = Row(TestBatches.Json("b", "completed", change: Counts(5, 0)), Created.AddDays(1));
        var expired = Row(TestBatches.Json("b", "expired", change: Counts(9, 0)), Created.AddDays(1));
        var expiredOver = Row(TestBatches.Json("b", "expired", change: Counts(9, 3)), Created.AddDays(1));

        Assert.Equal(["counts don't add up"], completedShort.Flags.Select(f => f.Label));
        Assert.Equal(FlagTone.Alarm, completedShort.Flags[0].Tone);
        Assert.Equal(["1 not run"], expired.Flags.Select(f => f.Label));
        Assert.Equal("1 request was not run before the 24-hour window ended. Its results page retries them.", expired.Flags[0].Explanation);
        Assert.Contains("counts don't add up", expiredOver.Flags.Select(f => f.Label));
    }

    [Fact]
    public void TheFailureRateFlag_FollowsItsThreshold_AndStaysQuietBelowIt()
    {
        var json = TestBatches.Json("b", "completed", total: 100, completed: 91, failed: 9);

        Assert.Empty(Row(json, Created.AddDays(1)).Flags);
        Assert.Equal(["9.0% failed"], Row(json, Created.AddDays(1), options: new BatchInsightOptions { FailureRate = 0.05 }).Flags.Select(f => f.Label));
    }

    [Fact]
    public void AFailedBatch_ShowsItsFirstError_InItsRow()
    {
        var failed = Row(TestBatches.Json("b", "failed", total: 0, completed: 0, failed: 0, change: b => b["errors"] = new System.Text.Json.Nodes.JsonObject
        {
            ["object"] = "list",
            ["data"] = new System.Text.Json.Nodes.JsonArray(
                new System.Text.Json.Nodes.JsonObject { ["code"] = "invalid_json_line", ["message"] = "This line is not parseable as valid JSON.", ["line"] = 3 },
                new System.Text.Json.Nodes.JsonObject { ["code"] = "missing_required_parameter", ["message"] = "Missing custom_id.", ["line"] = 7 }),
        }), Created.AddDays(1));

        Assert.Equal("invalid_json_line: This line is not parseable as valid JSON. (line 3)", failed.FirstError);
    }

    [Fact]
    public void UnknownStatus_IsKeptAsSent()
    {
        var row = Row(TestBatches.Json("b", "Paused_By_Provider"), Created.AddMinutes(1));

        Assert.Equal(BatchStatusKind.Unknown, row.Status.Kind);
        Assert.Equal("Paused By Provider", StatusDisplay.Text(row.Status));
        Assert.Equal("status-unknown", StatusDisplay.CssClass(row.Status));
    }
}
