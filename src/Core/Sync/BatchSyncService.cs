using System.Collections.Concurrent;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Sync;

/// <summary>
/// Runs one sync loop per connection, each independent of the others' failures: a cycle every
/// <see cref="SyncOptions.ActivePollInterval"/> while the connection has running batches, every
/// <see cref="SyncOptions.IdlePollInterval"/> otherwise, and <see cref="SyncOptions.ErrorRetryInterval"/> after a failure.
/// With a shared PostgreSQL cache, only the instance holding the <see cref="SyncLease"/> runs them; the others
/// follow the database (<see cref="CacheFollower"/>) and try for the lease every <see cref="SyncOptions.LeaseCheckInterval"/>.
/// </summary>
internal sealed class BatchSyncService(
    IConnectionCatalog catalog,
    IBatchApiClientFactory clients,
    BatchStore store,
    BatchChangeNotifier notifier,
    SyncStatusBoard board,
    SyncLease lease,
    CacheFollower follower,
    IOptions<BatchDashboardOptions> options,
    IOptions<BatchCacheOptions> cacheOptions,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory) : BackgroundService, IBatchOperations, ISyncRole
{
    private readonly ConcurrentDictionary<string, ConnectionSyncer> _syncers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger _logger = loggerFactory.CreateLogger<BatchSyncService>();

    public Task<Batch?> RefreshAsync(string connectionId, string batchId, CancellationToken cancellationToken) =>
        SyncerFor(connectionId).RefreshAsync(batchId, cancellationToken);

    public Task<Batch?> CancelAsync(string connectionId, string batchId, CancellationToken cancellationToken) =>
        SyncerFor(connectionId).CancelAsync(batchId, cancellationToken);

    public Task<Batch> CreateAsync(string connectionId, Stream input, string fileName, Submissions.BatchSubmission submission, IProgress<long>? uploaded,
        CancellationToken cancellationToken) =>
        SyncerFor(connectionId).CreateAsync(input, fileName, submission, uploaded, cancellationToken);

    /// <summary>True while this instance runs the sync (always, with a cache of its own).</summary>
    public bool IsSyncing { get; private set; }

    public bool SharesCache => cacheOptions.Value.Provider == CacheProvider.Postgres;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (catalog.Connections.Count == 0)
        {
            _logger.LogInformation("No connection is configured: nothing to sync");
            return;
        }

        if (!SharesCache)
        {
            IsSyncing = true;
            await RunAllAsync(stoppingToken);
            return;
        }

        await Task.Yield();
        var settings = options.Value.Sync;
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
                    _logger.LogWarning("Following the shared cache failed: {Error}", ex.Message);
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
        _logger.LogInformation("This instance ({Holder}) holds the sync lease and runs the sync", lease.Holder);
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        IsSyncing = true;
        var loops = RunAllAsync(leading.Token);
        try
        {
            while (await DelayAsync(settings.LeaseCheckInterval, stoppingToken) && !loops.IsCompleted)
            {
                if (!await TryHoldLeaseAsync(settings, stoppingToken))
                {
                    // Another instance may take it as soon as it expires: stop before that can happen.
                    _logger.LogWarning("This instance ({Holder}) could not renew the sync lease: it stops syncing", lease.Holder);
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
            _logger.LogWarning("The sync lease could not be read or renewed: {Error}", ex.Message);
            return false;
        }
    }

    private async Task ReleaseLeaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await lease.ReleaseAsync(timeout.Token);
            _logger.LogInformation("This instance ({Holder}) gave up the sync lease", lease.Holder);
        }
        catch (Exception ex) when (SyncLease.IsDatabaseFailure(ex) || ex is OperationCanceledException)
        {
            _logger.LogWarning("The sync lease could not be given up; another instance takes it when it expires: {Error}", ex.Message);
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

    private Task RunAllAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(catalog.Connections.Select(connection => RunAsync(connection, stoppingToken)));

    private async Task RunAsync(ApiConnection connection, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var settings = options.Value.Sync;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var report = await SyncerFor(connection.Id).RunCycleAsync(stoppingToken);
                wait = report.HasActiveBatches ? settings.ActivePollInterval : settings.IdlePollInterval;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (BatchApiException ex)
            {
                _logger.LogWarning("Connection {Connection}: sync failed: {Error}", connection.Id, ex.Summary);
                // A rejected key will not fix itself within seconds; do not hammer the API with it.
                wait = ex.Kind == ApiFailureKind.Unauthorized ? settings.IdlePollInterval : settings.ErrorRetryInterval;
            }
#pragma warning disable CA1031 // One connection's unexpected failure must not end its loop, nor the others'.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _logger.LogError(ex, "Connection {Connection}: sync cycle failed unexpectedly", connection.Id);
                board.Failed(connection, "The sync failed unexpectedly; see the server log.", unauthorized: false);
                wait = settings.ErrorRetryInterval;
            }

            try
            {
                await Task.Delay(wait, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private ConnectionSyncer SyncerFor(string connectionId)
    {
        var connection = catalog.Find(connectionId) ?? throw new ArgumentException($"No connection '{connectionId}' is configured.", nameof(connectionId));
        return _syncers.GetOrAdd(connection.Id, _ => new ConnectionSyncer(
            clients.Create(connection), store, notifier, board, options.Value.Sync, timeProvider,
            loggerFactory.CreateLogger($"{typeof(ConnectionSyncer).FullName}")));
    }
}
