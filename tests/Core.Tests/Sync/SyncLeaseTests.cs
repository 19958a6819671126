using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Sync;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Core.Tests.Sync;

/// <summary>The sync lease between instances sharing one PostgreSQL: one holder at a time, taken over only once expired or given up.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SyncLeaseTests(PostgresServer postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private CoreHarness _harness = default!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _harness = await CoreHarness.StartAsync(postgres);

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    /// <summary>Another instance: its own lease object (its own holder name) over the same database.</summary>
    private SyncLease Instance() => new(_harness.Services.GetRequiredService<IDbContextFactory<BatchCacheDbContext>>());

    [Fact]
    public async Task OneHolderAtATime_RenewsKeepIt_AndAGivenUpLeaseIsTakenAtOnce()
    {
        var a = Instance();
        var b = Instance();

        Assert.True(await a.TryHoldAsync(Long, Token));
        Assert.False(await b.TryHoldAsync(Long, Token));
        Assert.True(await a.TryHoldAsync(Long, Token));
        Assert.Equal(a.Holder, (await a.ReadAsync(Token))!.Holder);

        await a.ReleaseAsync(Token);
        Assert.True(await b.TryHoldAsync(Long, Token));
        Assert.False(await a.TryHoldAsync(Long, Token));
    }

    [Fact]
    public async Task AnExpiredLease_IsTakenOver_AndItsOldHolderCannotRenewIt()
    {
        var a = Instance();
        var b = Instance();
        // Held for no time at all: expired the moment it is written, as a dead holder's lease is.
        Assert.True(await a.TryHoldAsync(TimeSpan.FromMilliseconds(-1), Token));
        var expired = (await a.ReadAsync(Token))!;

        Assert.True(await b.TryHoldAsync(Long, Token));
        var taken = (await b.ReadAsync(Token))!;
        Assert.Equal(b.Holder, taken.Holder);
        Assert.True(taken.AcquiredAt >= expired.AcquiredAt);
        Assert.False(await a.TryHoldAsync(Long, Token));
    }

    [Fact]
    public async Task InstancesRacingForAFreeLease_OnlyOneWins()
    {
        var instances = Enumerable.Range(0, 8).Select(_ => Instance()).ToList();

        var won = await Task.WhenAll(instances.Select(i => i.TryHoldAsync(Long, Token)));

        Assert.Single(won, w => w);
        Assert.Equal(instances[Array.IndexOf(won, true)].Holder, (await instances[0].ReadAsync(Token))!.Holder);
    }
}
