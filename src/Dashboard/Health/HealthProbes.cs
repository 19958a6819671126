using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace BatchDashboard.Dashboard.Health;

/// <summary>
/// The probes an orchestrator, a proxy or systemd calls, anonymous: <c>/alive</c> answers from memory (the process
/// is up and serving requests), <c>/health</c> (and <c>/healthz</c>, its first name) reports the cache, its answer
/// reused for a few seconds (<see cref="CacheHealthCheck.ReusedFor"/>), and each connection's sync, from memory.
/// </summary>
internal static class HealthProbes
{
    public const string Live = "live";
    public const string Ready = "ready";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var alive = new HealthCheckOptions { Predicate = check => check.Tags.Contains(Live), ResponseWriter = HealthResponseWriter.WriteAsync };
        var health = new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready), ResponseWriter = HealthResponseWriter.WriteAsync };
        endpoints.MapHealthChecks("/alive", alive).AllowAnonymous();
        endpoints.MapHealthChecks("/health", health).AllowAnonymous();
        endpoints.MapHealthChecks("/healthz", health).AllowAnonymous();
    }
}
