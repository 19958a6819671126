using BatchDashboard.Core;
using BatchDashboard.Dashboard.Health;

namespace BatchDashboard.Dashboard.Hosting;

public static class BatchDashboardServiceCollectionExtensions
{
    /// <summary>Registers everything the dashboard needs: Core (cache, client, sync), components and health checks.</summary>
    public static IServiceCollection AddBatchDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBatchCore(configuration);
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddHealthChecks().AddCheck<CacheHealthCheck>("cache").AddCheck<SyncHealthCheck>("sync");
        return services;
    }
}
