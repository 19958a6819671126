using BatchDashboard.Core.Cache;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BatchDashboard.Dashboard.Health;

/// <summary>
/// The cache database: reachable, and its migrations applied. The answer is reused for <see cref="ReusedFor"/>, so a
/// probe every second opens the database every few seconds, not on each call. Why it is unreachable goes to the
/// server log, not to the anonymous probe.
/// </summary>
internal sealed class CacheHealthCheck(IBatchCacheDatabase database) : IHealthCheck
{
    public static readonly TimeSpan ReusedFor = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = await database.RecentCheckAsync(ReusedFor, cancellationToken);
        var data = new Dictionary<string, object> { ["pendingMigrations"] = status.PendingMigrations, ["checkedAt"] = status.CheckedAt };
        return status.Reachable
            ? HealthCheckResult.Healthy("The cache database is reachable.", data)
            : HealthCheckResult.Unhealthy("The cache database is not reachable; the server log says why.", data: data);
    }
}
