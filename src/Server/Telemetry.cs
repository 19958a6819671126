using BatchDashboard.Dashboard.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace BatchDashboard.Server;

/// <summary>
/// OpenTelemetry for the standalone app, configured the standard way (<c>OTEL_*</c> variables): with
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, the dashboard's metrics, traces and logs go out over OTLP (gRPC, or HTTP
/// when <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> is <c>http/protobuf</c>), with ASP.NET Core's, HttpClient's and the
/// runtime's; without it nothing is registered, so nothing is spent.
/// </summary>
internal static class Telemetry
{
    public static WebApplicationBuilder AddBatchDashboardTelemetry(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return builder;
        }

        var names = DashboardTelemetry.Names.ToArray();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // OTEL_SERVICE_NAME, when set, names the service; the SDK reads it.
                if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService("batch-dashboard");
                }
            })
            .WithMetrics(metrics => metrics.AddMeter(names)
                .AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing.AddSource(names)
                // Probes and static files would drown the rest: they are not traced.
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsNoise(context.Request.Path))
                .AddHttpClientInstrumentation())
            .WithLogging()
            .UseOtlpExporter();
        return builder;
    }

    private static bool IsNoise(PathString path) =>
        path.Value is { } value && (value.EndsWith("/alive", StringComparison.Ordinal) || value.EndsWith("/health", StringComparison.Ordinal)
            || value.EndsWith("/healthz", StringComparison.Ordinal) || value.Contains("/_content/", StringComparison.Ordinal)
            || value.Contains("/_framework/", StringComparison.Ordinal) || value.Contains("/_blazor", StringComparison.Ordinal));
}
