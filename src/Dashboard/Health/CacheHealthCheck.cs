using BatchDashboard.Core.Cache;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BatchDashboard.Dashboard.Health;

internal sealed class CacheHealthCheck(IBatchCacheDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = await database.CheckAsync(cancellationToken);
        var data = new Dictionary<string, object> { ["pendingMigrations"] = status.PendingMigrations };
        return status.Reachable
            ? HealthCheckResult.Healthy("The cache database is reachable.", data)
            : HealthCheckResult.Unhealthy($"The cache database is not reachable: {status.Error}", data: data);
    }
}
