using BatchDashboard.Dashboard.Api;
using BatchDashboard.Dashboard.Components;
using BatchDashboard.Dashboard.Health;
using BatchDashboard.Dashboard.Security;

namespace BatchDashboard.Dashboard.Hosting;

public static class BatchDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard under <paramref name="pathPrefix"/> (<c>"/admin/batches"</c>; empty for the site's root):
    /// its pages, the Blazor circuit, its static assets, the JSON API (<c>api/batches</c>), <c>healthz</c>, the provider's
    /// webhooks (<c>webhooks/{connection}</c>), and the
    /// same pages without the app chrome under <c>embed/</c>, for an iframe.
    /// <para>
    /// The dashboard runs as an app of its own behind the prefix, as Hangfire's dashboard does: a request under it is
    /// handed to the dashboard's own pipeline with the prefix moved from the path to the path base, so Blazor's base
    /// address, the router, every link and redirect, the circuit and the assets all start there. A route group
    /// cannot do this: Blazor's router would not know its pages under a prefixed route.
    /// </para>
    /// <para>
    /// Returns the group of the prefix, so a host can chain <c>.RequireAuthorization("its-policy")</c>; the
    /// dashboard's own role checks (viewer for every page, operator for actions, admin for settings) apply inside it
    /// either way. The host's pipeline needs <c>UseAuthentication</c> and <c>UseAuthorization</c>.
    /// </para>
    /// </summary>
    public static RouteGroupBuilder MapBatchDashboard(this IEndpointRouteBuilder endpoints, string pathPrefix = "")
    {
        var prefix = DashboardMount.Normalize(pathPrefix);
        endpoints.ServiceProvider.GetRequiredService<DashboardMounts>().Add(prefix);

        var dashboard = endpoints.CreateApplicationBuilder();
        dashboard.Use((context, next) => EnterAsync(context, next, prefix));
        dashboard.UseRouting();
        dashboard.UseAuthorization();
        dashboard.UseRateLimiter();
        dashboard.UseAntiforgery();
        dashboard.UseEndpoints(MapEndpoints);
        var pipeline = dashboard.Build();

        var group = endpoints.MapGroup(prefix);
        group.Map("", pipeline);
        group.Map("/{**path}", pipeline);
        return group;
    }

    private static void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        // Signed by the provider, not signed in: the signature is checked instead.
        endpoints.MapWebhooks();
        var pages = endpoints.MapGroup("").RequireAuthorization(DashboardPolicies.Viewer);
        // Code and styles, no data: anyone may load them (the sign-in page needs them).
        pages.MapStaticAssets().AllowAnonymous();
        HealthProbes.Map(pages);
        pages.MapBatchApi();
        pages.MapResultApi();
        pages.MapCapacityApi();
        pages.MapInsightApi();
        pages.MapAccessEndpoints();
        // Its frame-ancestors is ours (SecurityHeaders): two CSP headers would allow only what both allow.
        pages.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
    }

    /// <summary>
    /// Moves the mount's prefix (and <c>embed</c>, for the chrome-less layout) from the path to the path base, as
    /// <c>UsePathBase</c> does for a whole app, forgets the host's routing decision so the dashboard routes the
    /// request itself, and sets the security headers every dashboard answer carries, whoever hosts it.
    /// </summary>
    private static async Task EnterAsync(HttpContext context, RequestDelegate next, string prefix)
    {
        SecurityHeaders.Apply(context);
        var request = context.Request;
        var (pathBase, path, endpoint) = (request.PathBase, request.Path, context.GetEndpoint());
        var rest = path;
        if (prefix.Length > 0 && path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase, out var remainder))
        {
            request.PathBase = pathBase.Add(prefix);
            rest = remainder;
        }

        if (rest.StartsWithSegments(DashboardMount.EmbedSegment, StringComparison.OrdinalIgnoreCase, out var embedded))
        {
            request.PathBase = request.PathBase.Add(DashboardMount.EmbedSegment);
            rest = embedded;
        }

        request.Path = rest;
        context.SetEndpoint(null);
        request.RouteValues.Clear();
        try
        {
            await next(context);
        }
        finally
        {
            (request.PathBase, request.Path) = (pathBase, path);
            context.SetEndpoint(endpoint);
        }
    }
}
