using System.Collections.Concurrent;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Sync;

/// <summary>One <see cref="ConnectionSyncer"/> per configured connection, made when first asked for and shared by the sync loop and user actions.</summary>
internal sealed class ConnectionSyncers(
    IConnectionCatalog catalog,
    IBatchApiClientFactory clients,
    BatchStore store,
    BatchChangeNotifier notifier,
    SyncStatusBoard board,
    IOptions<SyncOptions> options,
    TimeProvider timeProvider,
    ILogger<ConnectionSyncer> logger)
{
    private readonly ConcurrentDictionary<string, ConnectionSyncer> _syncers = new(StringComparer.OrdinalIgnoreCase);

    public ConnectionSyncer For(string connectionId)
    {
        var connection = catalog.Find(connectionId) ?? throw new ArgumentException($"No connection '{connectionId}' is configured.", nameof(connectionId));
        return _syncers.GetOrAdd(connection.Id, _ => new ConnectionSyncer(
            clients.Create(connection), store, notifier, board, options.Value, timeProvider, logger));
    }
}
