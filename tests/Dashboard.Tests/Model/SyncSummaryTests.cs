using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Model;

namespace BatchDashboard.Dashboard.Tests.Model;

public sealed class SyncSummaryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 30, 0, TimeSpan.Zero);

    private static ConnectionSyncStatus Status(string id, SyncPhase phase, double secondsAgo = 5, string? error = null, bool unauthorized = false, int imported = 0) =>
        new(id, id.ToUpperInvariant(), phase, imported, Now.AddSeconds(-secondsAgo), error, unauthorized);

    [Fact]
    public void NoConnection_ShowsNothing() => Assert.Null(SyncSummary.Of([], Now));

    [Fact]
    public void EveryConnectionPolling_ShowsTheOldestSync()
    {
        var summary = SyncSummary.Of([Status("a", SyncPhase.Polling, 5), Status("b", SyncPhase.Polling, 40)], Now)!;

        Assert.Equal((SyncTone.Ok, "Synced 40 s ago"), (summary.Tone, summary.Label));
        Assert.Equal(["A: up to date, synced 5 s ago", "B: up to date, synced 40 s ago"], summary.Details);
    }

    [Fact]
    public void AFailingConnection_Leads_WithItsError()
    {
        var summary = SyncSummary.Of([Status("a", SyncPhase.Polling), Status("b", SyncPhase.Failing, 120, "The API answered 503 Service Unavailable")], Now)!;

        Assert.Equal((SyncTone.Error, "Sync failing (1 of 2)"), (summary.Tone, summary.Label));
        Assert.Contains("B: failing (The API answered 503 Service Unavailable); last synced 2 min ago", summary.Details);
    }

    [Fact]
    public void ARejectedKey_IsNamedAsSuch()
    {
        var summary = SyncSummary.Of([Status("a", SyncPhase.Failing, error: "Incorrect API key", unauthorized: true)], Now)!;

        Assert.Equal("API key rejected", summary.Label);
    }

    [Fact]
    public void AnImport_ShowsItsCount()
    {
        var summary = SyncSummary.Of([Status("a", SyncPhase.Importing, imported: 1200), Status("b", SyncPhase.Polling)], Now)!;

        Assert.Equal((SyncTone.Pending, "Importing: 1,200 batches"), (summary.Tone, summary.Label));
    }
}
