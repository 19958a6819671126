using System.Text.Json;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Dashboard.Tests.Hosting;

/// <summary>
/// The probes an orchestrator calls every second or so: <c>/alive</c> from memory, <c>/health</c> and <c>/healthz</c>
/// with the cache's check reused for a few seconds (the server time they cost is in docs/PERFORMANCE.md).
/// </summary>
public sealed class ProbeTests : IAsyncDisposable
{
    private readonly ManualClock _clock = new(DateTimeOffset.FromUnixTimeSeconds(TestBatches.Created).AddMinutes(30));
    private readonly DashboardAppFactory _app;

    public ProbeTests()
    {
        _app = new DashboardAppFactory().WithClock(_clock);
        _app.WithFakeUpstream().Add(TestBatches.Json("batch_running", "in_progress"));
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Alive_AnswersFromMemory_AndHealth_ReusesTheCachesCheckForAFewSeconds()
    {
        using var client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);

        async Task<JsonElement> GetAsync(string path)
        {
            using var response = await client.GetAsync(path, Token);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode}");
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token)).RootElement.Clone();
        }

        static string CheckedAt(JsonElement health) =>
            health.GetProperty("checks").GetProperty("cache").GetProperty("data").GetProperty("checkedAt").GetString()!;

        var alive = await GetAsync("/alive");
        Assert.Equal("healthy", alive.GetProperty("status").GetString());
        Assert.Equal(["process"], alive.GetProperty("checks").EnumerateObject().Select(c => c.Name));

        var health = await GetAsync("/health");
        Assert.Equal(["cache", "sync"], health.GetProperty("checks").EnumerateObject().Select(c => c.Name));
        Assert.Equal("polling", health.GetProperty("checks").GetProperty("sync").GetProperty("data").GetProperty("openai").GetProperty("state").GetString());
        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(CheckedAt(health), CheckedAt(await GetAsync("/healthz"))); // the same answer, the database not opened again
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.NotEqual(CheckedAt(health), CheckedAt(await GetAsync("/health")));
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
