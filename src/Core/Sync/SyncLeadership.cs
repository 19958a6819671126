using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Sync;

/// <summary>
/// Decides whether this instance runs the <see cref="SyncLoop"/>. With a cache of its own, always. With a shared
/// PostgreSQL cache, only while it holds the <see cref="SyncLease"/>: it renews the lease every
/// <see cref="SyncOptions.LeaseCheckInterval"/> and stops the loop the moment a renewal fails; without the lease it
/// follows what the leader writes (<see cref="CacheFollower"/>) and tries for the lease again at that interval.
/// </summary>
internal sealed class SyncLeadership(
    IConnectionCatalog catalog,
    SyncLoop loop,
    SyncLease lease,
    CacheFollower follower,
    IOptions<SyncOptions> options,
    IOptions<BatchCacheOptions> cacheOptions,
    TimeProvider timeProvider,
    ILogger<SyncLeadership> logger) : BackgroundService, ISyncRole
{
    /// <summary>True while this instance runs the sync (always, with a cache of its own).</summary>
    public bool IsSyncing { get; private set; }

    public bool SharesCache => cacheOptions.Value.Provider == CacheProvider.Postgres;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (catalog.Connections.Count == 0)
        {
            logger.LogInformation("No connection is configured: nothing to sync");
            return;
        }

        if (!SharesCache)
        {
            IsSyncing = true;
            await loop.RunAsync(stoppingToken);
            return;
        }

        await Task.Yield();
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (await TryHoldLeaseAsync(settings, stoppingToken))
            {
                await LeadAsync(settings, stoppingToken);
                follower.Reset();
                continue;
            }

            // Follow the leader's writes until it is time to try for the lease again.
            var until = timeProvider.GetUtcNow() + settings.LeaseCheckInterval;
            do
            {
                try
                {
                    await follower.PollAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // Following is best effort: a failure must not stop the app, which still serves pages.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    logger.LogWarning("Following the shared cache failed: {Error}", ex.Message);
                }

                if (!await DelayAsync(Min(settings.FollowerPollInterval, until - timeProvider.GetUtcNow()), stoppingToken))
                {
                    return;
                }
            }
            while (timeProvider.GetUtcNow() < until);
        }
    }

    /// <summary>Runs the sync while this instance keeps the lease; stops it the moment a renewal fails.</summary>
    private async Task LeadAsync(SyncOptions settings, CancellationToken stoppingToken)
    {
        logger.LogInformation("This instance ({Holder}) holds the sync lease and runs the sync", lease.Holder);
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        IsSyncing = true;
        var loops = loop.RunAsync(leading.Token);
        try
        {
            while (await DelayAsync(settings.LeaseCheckInterval, stoppingToken) && !loops.IsCompleted)
            {
                if (!await TryHoldLeaseAsync(settings, stoppingToken))
                {
                    // Another instance may take it as soon as it expires: stop before that can happen.
                    logger.LogWarning("This instance ({Holder}) could not renew the sync lease: it stops syncing", lease.Holder);
                    break;
                }
            }
        }
        finally
        {
            IsSyncing = false;
            await leading.CancelAsync();
            await loops;
            if (stoppingToken.IsCancellationRequested)
            {
                await ReleaseLeaseAsync();
            }
        }
    }

    private async Task<bool> TryHoldLeaseAsync(SyncOptions settings, CancellationToken stoppingToken)
    {
        // An answer that comes too late to keep the lease alive counts as a failure: no two instances sync at once.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        deadline.CancelAfter(settings.LeaseCheckInterval);
        try
        {
            return await lease.TryHoldAsync(settings.LeaseDuration, deadline.Token);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
#pragma warning disable CA1031 // Any failure to hold the lease means "do not sync now", never an end of the app.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            logger.LogWarning("The sync lease could not be read or renewed: {Error}", ex.Message);
            return false;
        }
    }

    private async Task ReleaseLeaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await lease.ReleaseAsync(timeout.Token);
            logger.LogInformation("This instance ({Holder}) gave up the sync lease", lease.Holder);
        }
        catch (Exception ex) when (SyncLease.IsDatabaseFailure(ex) || ex is OperationCanceledException)
        {
            logger.LogWarning("The sync lease could not be given up; another instance takes it when it expires: {Error}", ex.Message);
        }
    }

    private async Task<bool> DelayAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, timeProvider, stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
