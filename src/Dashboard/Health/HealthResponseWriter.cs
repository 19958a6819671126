using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BatchDashboard.Dashboard.Health;

/// <summary>Writes a probe's answer (<see cref="HealthProbes"/>) as a small JSON body: overall status, then one entry per check.</summary>
internal static class HealthResponseWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var body = new HealthBody(
            ToText(report.Status),
            report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new HealthEntryBody(ToText(entry.Value.Status), entry.Value.Description, entry.Value.Data.Count == 0 ? null : entry.Value.Data)));
        return JsonSerializer.SerializeAsync(context.Response.Body, body, HealthJsonContext.Default.HealthBody, context.RequestAborted);
    }

    private static string ToText(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}

internal sealed record HealthBody(string Status, Dictionary<string, HealthEntryBody> Checks);

internal sealed record HealthEntryBody(string Status, string? Description, IReadOnlyDictionary<string, object>? Data);
