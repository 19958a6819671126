using BatchDashboard.Core.Sync;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BatchDashboard.Dashboard.Health;

/// <summary>
/// The sync state of each connection. A failing sync makes the dashboard degraded, not unhealthy: it still serves
/// everything it has cached.
/// </summary>
internal sealed class SyncHealthCheck(ISyncStatusProvider sync, ISyncRole role) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var states = sync.GetAll();
        var data = states.ToDictionary(
            s => s.ConnectionId,
            s => (object)new ConnectionHealth(ToText(s.Phase), s.ImportedBatches, s.LastSuccessAt, s.LastError));
        if (states.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No connection is configured.", data));
        }

        var failing = states.Where(s => s.Phase == SyncPhase.Failing).Select(s => s.ConnectionId).ToList();
        // With a shared cache, say which instance this is: the one that syncs, or one that follows it.
        var healthy = !role.SharesCache ? "Every connection is syncing."
            : role.IsSyncing ? "Every connection is syncing; this instance holds the sync lease."
            : "Every connection is syncing; another instance holds the sync lease, this one follows the shared cache.";
        return Task.FromResult(failing.Count == 0
            ? HealthCheckResult.Healthy(healthy, data)
            : HealthCheckResult.Degraded($"Sync failing for: {string.Join(", ", failing)}. Cached data is still served.", data: data));
    }

    private static string ToText(SyncPhase phase) => phase switch
    {
        SyncPhase.Waiting => "waiting",
        SyncPhase.Importing => "importing",
        SyncPhase.Polling => "polling",
        _ => "failing",
    };
}

internal sealed record ConnectionHealth(string State, int ImportedBatches, DateTimeOffset? LastSuccessAt, string? LastError);
