using BatchDashboard.Core.Api;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Sync;

/// <summary>
/// One sync loop per connection, each independent of the others' failures: a cycle every
/// <see cref="SyncOptions.ActivePollInterval"/> while the connection has running batches, every
/// <see cref="SyncOptions.IdlePollInterval"/> otherwise, and <see cref="SyncOptions.ErrorRetryInterval"/> after a failure;
/// <see cref="SyncOptions.WebhookPollInterval"/> instead of the active one while the connection's webhooks arrive.
/// Runs until its token is cancelled; <see cref="SyncLeadership"/> decides when it runs.
/// </summary>
internal sealed class SyncLoop(
    IConnectionCatalog catalog,
    ConnectionSyncers syncers,
    WebhookReceiptStore webhooks,
    SyncStatusBoard board,
    IOptions<SyncOptions> options,
    TimeProvider timeProvider,
    ILogger<SyncLoop> logger)
{
    public Task RunAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(catalog.Connections.Select(connection => RunAsync(connection, stoppingToken)));

    private async Task RunAsync(ApiConnection connection, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var report = await syncers.For(connection.Id).RunCycleAsync(stoppingToken);
                wait = await WaitAfterAsync(connection, report.HasActiveBatches, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (BatchApiException ex)
            {
                logger.LogWarning("Connection {Connection}: sync failed: {Error}", connection.Id, ex.Summary);
                // A rejected key will not fix itself within seconds; do not hammer the API with it.
                wait = ex.Kind == ApiFailureKind.Unauthorized ? settings.IdlePollInterval : settings.ErrorRetryInterval;
            }
#pragma warning disable CA1031 // One connection's unexpected failure must not end its loop, nor the others'.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogError(ex, "Connection {Connection}: sync cycle failed unexpectedly", connection.Id);
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

    /// <summary>
    /// How long to wait after a good cycle: the idle interval with nothing running; else the active one, or the
    /// webhooks' while the connection's webhooks arrive (never shorter than the active one).
    /// </summary>
    internal async Task<TimeSpan> WaitAfterAsync(ApiConnection connection, bool hasActiveBatches, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        return !hasActiveBatches ? settings.IdlePollInterval
            : await WebhooksArriveAsync(connection, stoppingToken) ? Max(settings.WebhookPollInterval, settings.ActivePollInterval)
            : settings.ActivePollInterval;
    }

    /// <summary>True when the connection has a webhook secret and a verified delivery came within the last day.</summary>
    private async Task<bool> WebhooksArriveAsync(ApiConnection connection, CancellationToken stoppingToken)
    {
        if (connection.WebhookKey is null)
        {
            return false;
        }

        try
        {
            var last = await webhooks.LastReceivedAtAsync(connection.Id, stoppingToken);
            return last is { } at && timeProvider.GetUtcNow().ToUnixTimeSeconds() - at < TimeSpan.FromDays(1).TotalSeconds;
        }
        catch (System.Data.Common.DbException)
        {
            return false; // poll as often as without webhooks
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
