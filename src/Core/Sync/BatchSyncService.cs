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
/// </summary>
internal sealed class BatchSyncService(
    IConnectionCatalog catalog,
    IBatchApiClientFactory clients,
    BatchStore store,
    BatchChangeNotifier notifier,
    SyncStatusBoard board,
    IOptions<BatchDashboardOptions> options,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory) : BackgroundService, IBatchOperations
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

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (catalog.Connections.Count == 0)
        {
            _logger.LogInformation("No connection is configured: nothing to sync");
            return Task.CompletedTask;
        }

        return Task.WhenAll(catalog.Connections.Select(connection => RunAsync(connection, stoppingToken)));
    }

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
