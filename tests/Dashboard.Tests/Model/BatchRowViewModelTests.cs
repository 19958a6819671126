using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;
using BatchDashboard.Dashboard.Model;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Dashboard.Tests.Model;

public sealed class BatchRowViewModelTests
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(TestBatches.Created);

    private static BatchRowViewModel Row(string json, DateTimeOffset now, string connection = "openai") =>
        BatchRowViewModel.From(new CachedBatch(connection, BatchReader.Read(json).Batch!, Created, Created), now);

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
        Assert.Empty(row.Flags);
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
        var stuck = Row(TestBatches.Json("b", "finalizing", change: b => b["finalizing_at"] = TestBatches.Created + 600), Created.AddSeconds(600).AddHours(3));
        var expiring = Row(TestBatches.Json("b", "in_progress"), Created.AddHours(23).AddMinutes(21));
        var allFailed = Row(TestBatches.Json("b", "completed", total: 5, failed: 5), Created.AddDays(1));
        var cancelled = Row(TestBatches.Json("b", "cancelled", total: 10, completed: 2, failed: 0, change: b => b["request_counts"]!["completed"] = 2), Created.AddDays(1));

        Assert.Equal(["finalizing for 3 h"], stuck.Flags.Select(f => f.Label));
        Assert.Contains("longer than usual", stuck.Flags[0].Explanation, StringComparison.Ordinal);
        Assert.Equal(["expires in 39 min"], expiring.Flags.Select(f => f.Label));
        Assert.Equal(["all failed"], allFailed.Flags.Select(f => f.Label));
        Assert.Equal(["counts don't add up"], cancelled.Flags.Select(f => f.Label));
        Assert.Contains("8 requests were neither completed nor failed", cancelled.Flags[0].Explanation, StringComparison.Ordinal);
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
