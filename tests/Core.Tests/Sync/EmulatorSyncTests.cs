using BatchDashboard.Core.Api;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Emulator;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Core.Tests.Sync;

/// <summary>The sync against the emulator: a month of realistic history, batches that move, and an outage.</summary>
public sealed class EmulatorSyncTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private CoreHarness _harness = default!;
    private EmulatorServer _emulator = default!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync();
        _emulator = await EmulatorServer.StartAsync(new EmulatorOptions { Port = 0, ApiKey = "sk-test-key", SeedBatches = 240 }, _clock, Token);
    }

    [Fact]
    public async Task TheSync_ImportsTheSeededHistory_InThreeCalls_AndFollowsItAsTimeMoves()
    {
        var syncer = _harness.Syncer(connection: TestClients.Connection(_emulator.BaseUrl));

        var import = await syncer.RunCycleAsync(Token);
        Assert.Equal(3, import.ApiCalls); // 240 batches, 100 a page
        await AssertCacheEqualsUpstreamAsync();

        _clock.Advance(TimeSpan.FromMinutes(30));
        var cycle = await syncer.RunCycleAsync(Token);
        Assert.True(cycle.Changed > 0, "running batches moved");
        Assert.True(cycle.ApiCalls <= 11, $"{cycle.ApiCalls} calls for about ten running batches");
        await AssertCacheEqualsUpstreamAsync();

        _clock.Advance(TimeSpan.FromHours(10));
        await syncer.RunCycleAsync(Token);
        await AssertCacheEqualsUpstreamAsync();
    }

    [Fact]
    public async Task ThroughAnOutageOfEveryFaultKind_NothingRegresses_AndTheCacheCatchesUpOnceItEnds()
    {
        var syncer = _harness.Syncer(connection: TestClients.Connection(_emulator.BaseUrl));
        await syncer.RunCycleAsync(Token);
        _emulator.Faults.Set([new FaultRule
        {
            Route = "*",
            RateLimitShare = 0.1,
            RetryAfterSeconds = 0,
            ServerErrorShare = 0.05,
            MalformedJsonShare = 0.05,
            TruncatedJsonShare = 0.05,
            HtmlErrorShare = 0.05,
            DropConnectionShare = 0.05,
        }]);
        var before = await CachedAsync();

        for (var cycle = 0; cycle < 10; cycle++)
        {
            _clock.Advance(TimeSpan.FromMinutes(5));
            try
            {
                await syncer.RunCycleAsync(Token);
            }
            catch (BatchApiException)
            {
                // A cycle may fail outright; the next one starts over from the cache.
            }

            var now = await CachedAsync();
            Assert.All(before, pair => Assert.True(
                now[pair.Key].Rank >= pair.Value.Rank && now[pair.Key].Completed >= pair.Value.Completed,
                $"{pair.Key} went from {pair.Value} to {now[pair.Key]}"));
            before = now;
        }

        _emulator.Faults.Set([]);
        await syncer.RunCycleAsync(Token);
        await AssertCacheEqualsUpstreamAsync();
    }

    private async Task AssertCacheEqualsUpstreamAsync()
    {
        var upstream = await UpstreamAsync();
        var cached = await CachedAsync();
        Assert.Equal(240, upstream.Count);
        Assert.Equal(upstream.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Status, p.Value.Completed, p.Value.Failed)),
            cached.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Status, p.Value.Completed, p.Value.Failed)));
    }

    private async Task<Dictionary<string, (string Status, int Rank, int Completed, int Failed)>> CachedAsync()
    {
        var page = await _harness.Queries.ListAsync(new BatchListRequest { PageSize = 500 }, Token);
        return page.Items.ToDictionary(
            b => b.Batch.Id,
            b => (b.Batch.Status.Name, b.Batch.Status.Rank, b.Batch.RequestCounts?.Completed ?? 0, b.Batch.RequestCounts?.Failed ?? 0));
    }

    private async Task<Dictionary<string, (string Status, int Rank, int Completed, int Failed)>> UpstreamAsync() =>
        (await UpstreamListing.ReadAllAsync(_emulator.BaseUrl, _emulator.ApiKey, Token)).ToDictionary(
            batch => batch.GetProperty("id").GetString()!,
            batch => (batch.GetProperty("status").GetString()!, 0,
                batch.GetProperty("request_counts").GetProperty("completed").GetInt32(), batch.GetProperty("request_counts").GetProperty("failed").GetInt32()));

    public async ValueTask DisposeAsync()
    {
        await _emulator.DisposeAsync();
        await _harness.DisposeAsync();
    }
}
