using System.Collections.Concurrent;
using BatchDashboard.Core.Connections;

namespace BatchDashboard.Core.Sync;

/// <summary>The in-memory sync state of each connection, updated by its syncer and read by pages and health checks.</summary>
internal sealed class SyncStatusBoard(IConnectionCatalog catalog) : ISyncStatusProvider
{
    private readonly ConcurrentDictionary<string, ConnectionSyncStatus> _states = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every configured connection (waiting until its first cycle), and any other that has synced.</summary>
    public IReadOnlyList<ConnectionSyncStatus> GetAll()
    {
        var configured = catalog.Connections.Select(c => _states.TryGetValue(c.Id, out var state)
            ? state
            : new ConnectionSyncStatus(c.Id, c.Name, SyncPhase.Waiting, 0, null, null, false));
        var others = _states.Values.Where(s => catalog.Find(s.ConnectionId) is null);
        return [.. configured, .. others.OrderBy(s => s.ConnectionId, StringComparer.Ordinal)];
    }

    /// <summary>A retry of a failed import stays "failing" until it stores something: the error stays on screen.</summary>
    public void Importing(ApiConnection connection, int imported)
    {
        Telemetry.CoreTelemetry.RecordImported(connection.Id, imported);
        _states.AddOrUpdate(connection.Id,
            _ => new ConnectionSyncStatus(connection.Id, connection.Name, SyncPhase.Importing, imported, null, null, false),
            (_, old) => old.Phase == SyncPhase.Failing && imported == 0
                ? old
                : old with { Phase = SyncPhase.Importing, ImportedBatches = imported, LastError = null, Unauthorized = false });
    }

    public void Succeeded(ApiConnection connection, DateTimeOffset at) =>
        _states.AddOrUpdate(connection.Id,
            _ => new ConnectionSyncStatus(connection.Id, connection.Name, SyncPhase.Polling, 0, at, null, false),
            (_, old) => old with { Phase = SyncPhase.Polling, LastSuccessAt = at, LastError = null, Unauthorized = false });

    public void Failed(ApiConnection connection, string error, bool unauthorized) =>
        _states.AddOrUpdate(connection.Id,
            _ => new ConnectionSyncStatus(connection.Id, connection.Name, SyncPhase.Failing, 0, null, error, unauthorized),
            (_, old) => old with { Phase = SyncPhase.Failing, LastError = error, Unauthorized = unauthorized });
}
