using BatchDashboard.Core.Batches;
using BatchDashboard.Dashboard.Model;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Dashboard.Tests.Model;

public sealed class TimelineEntryTests
{
    private const long C = TestBatches.Created;
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(C);

    private static IReadOnlyList<TimelineEntry> Timeline(string status, DateTimeOffset now, Action<System.Text.Json.Nodes.JsonObject>? change = null)
    {
        var batch = BatchReader.Read(TestBatches.Json("b", status, change: change)).Batch!;
        return TimelineEntry.Of(batch, BatchInsights.Of(batch, now), now);
    }

    private static string Shape(IReadOnlyList<TimelineEntry> entries) =>
        string.Join(" → ", entries.Select(e => e.Status.Name + (e.IsCurrent ? "*" : "") + (e.IsEnd ? "." : "")));

    [Fact]
    public void Validating_IsTheCurrentPhase()
    {
        var entries = Timeline("validating", Created.AddMinutes(2));

        Assert.Equal("validating*", Shape(entries));
        Assert.Equal(TimeSpan.FromMinutes(2), entries[0].Duration);
    }

    [Fact]
    public void InProgress_TicksFromItsStart()
    {
        var entries = Timeline("in_progress", Created.AddMinutes(10));

        Assert.Equal("validating → in_progress*", Shape(entries));
        Assert.Equal(TimeSpan.FromSeconds(5), entries[0].Duration);
        Assert.Equal(Created.AddSeconds(5), entries[0].End);
        Assert.Equal(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(5), entries[1].Duration);
    }

    [Fact]
    public void Finalizing_ForHours_IsNoted()
    {
        var entries = Timeline("finalizing", Created.AddHours(4), b => b["finalizing_at"] = C + 600);

        Assert.Equal("validating → in_progress → finalizing*", Shape(entries));
        Assert.Equal("finalizing for 3 h 50 min", entries[2].Note);
    }

    [Fact]
    public void Completed_EndsWithItsMoment_AndTheBatchesWholeLife()
    {
        var entries = Timeline("completed", Created.AddDays(1));

        Assert.Equal("validating → in_progress → finalizing → completed.", Shape(entries));
        Assert.Equal(Created.AddSeconds(700), entries[3].At);
        Assert.Equal(TimeSpan.FromSeconds(700), entries[3].Duration);
        Assert.All(entries, e => Assert.Null(e.Note));
    }

    [Fact]
    public void Failed_AfterValidation()
    {
        var entries = Timeline("failed", Created.AddDays(1), b =>
        {
            b["in_progress_at"] = null;
            b["failed_at"] = C + 30;
        });

        Assert.Equal("validating → failed.", Shape(entries));
        Assert.Equal(TimeSpan.FromSeconds(30), entries[0].Duration);
    }

    [Fact]
    public void Expired_AfterTheWindow()
    {
        var entries = Timeline("expired", Created.AddDays(2), b => b["expired_at"] = C + 86_400 + 60);

        Assert.Equal("validating → in_progress → expired.", Shape(entries));
        Assert.Equal("in progress for 1 d", entries[1].Note);
    }

    [Fact]
    public void Cancelling_ForLong_IsNoted_AsACancelTakingTime()
    {
        var entries = Timeline("cancelling", Created.AddMinutes(60), b => b["cancelling_at"] = C + 600);

        Assert.Equal("validating → in_progress → cancelling*", Shape(entries));
        Assert.Equal("cancel taking 50 min", entries[2].Note);
    }

    [Fact]
    public void Cancelled_SaysHowLongTheCancelTook()
    {
        var entries = Timeline("cancelled", Created.AddDays(1), b =>
        {
            b["cancelling_at"] = C + 600;
            b["cancelled_at"] = C + 600 + (47 * 60);
        });

        Assert.Equal("validating → in_progress → cancelling → cancelled.", Shape(entries));
        Assert.Equal("cancel took 47 min", entries[2].Note);
    }

    [Fact]
    public void UnknownStatus_IsTheCurrentOne_ShownAsSent()
    {
        var entries = Timeline("paused", Created.AddMinutes(10));

        Assert.Equal("validating → in_progress → paused*", Shape(entries));
        Assert.False(entries[1].IsCurrent);
        Assert.Null(entries[1].Duration);
        Assert.Null(entries[2].At);
        Assert.Contains("does not know", entries[2].Note, StringComparison.Ordinal);
    }
}
