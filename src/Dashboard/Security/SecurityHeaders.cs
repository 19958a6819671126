using BatchDashboard.Dashboard.Hosting;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Dashboard.Security;

/// <summary>
/// The headers every dashboard response carries, standalone or inside a host: a CSP with no inline script (the
/// pages' scripts are files of the app), its <c>frame-ancestors</c> from <c>BatchDashboard:Embedding:FrameAncestors</c>
/// (none by default), <c>X-Content-Type-Options</c> and <c>Referrer-Policy</c>. HSTS is added by the standalone
/// pipeline under HTTPS (a host decides its own).
/// </summary>
public static class SecurityHeaders
{
    public static string ContentSecurityPolicy(EmbeddingOptions embedding)
    {
        var ancestors = embedding.FrameAncestors.Count == 0 ? "'none'" : string.Join(' ', embedding.FrameAncestors.Select(o => o.TrimEnd('/')));
        // Styles: the charts' and bars' sizes are style attributes, and Blazor's reconnect notice styles itself.
        return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
            "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors " + ancestors;
    }

    public static void Apply(HttpContext context)
    {
        var embedding = context.RequestServices.GetRequiredService<IOptionsMonitor<DashboardOptions>>().CurrentValue.Embedding;
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy(embedding);
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (embedding.FrameAncestors.Count == 0)
        {
            headers.XFrameOptions = "DENY"; // for browsers that predate frame-ancestors
        }
    }
}
