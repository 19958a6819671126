using BatchDashboard.Dashboard.Api;
using BatchDashboard.Dashboard.Components;
using BatchDashboard.Dashboard.Health;

namespace BatchDashboard.Dashboard.Hosting;

public static class BatchDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard's pages, static assets, the JSON API (<c>/api/batches</c>) and <c>/healthz</c>. Returns the pages' convention builder,
    /// so a host can chain <c>.RequireAuthorization(...)</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapBatchDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapStaticAssets();
        endpoints.MapHealthChecks("/healthz", new() { ResponseWriter = HealthResponseWriter.WriteAsync });
        endpoints.MapBatchApi();
        endpoints.MapResultApi();
        return endpoints.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
