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
/// runtime's. <c>BatchDashboard:Telemetry:Prometheus</c> adds a scraping endpoint, <c>/metrics</c> (the exporter is
/// a beta package). With neither, nothing is registered, so nothing is spent.
/// </summary>
internal static class Telemetry
{
    public const string PrometheusSetting = "BatchDashboard:Telemetry:Prometheus";

    public static WebApplicationBuilder AddBatchDashboardTelemetry(this WebApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var prometheus = builder.Configuration.GetValue<bool>(PrometheusSetting);
        if (!otlp && !prometheus)
        {
            return builder;
        }

        var names = DashboardTelemetry.Names.ToArray();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // OTEL_SERVICE_NAME, when set, names the service; the SDK reads it.
                if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService("batch-dashboard");
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(names).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation();
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        if (otlp)
        {
            telemetry
                .WithTracing(tracing => tracing.AddSource(names)
                    // Probes, static files and the circuits' connection would drown the rest: they are not traced.
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsNoise(context.Request.Path))
                    // A Slack channel's address is its secret: its requests are not traced.
                    .AddHttpClientInstrumentation(options => options.FilterHttpRequestMessage = request => !BatchDashboard.Core.Notifications.SecretAddress.Of(request)))
                .WithLogging()
                .UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>The Prometheus scraping endpoint, <c>/metrics</c>, when it is on.</summary>
    public static WebApplication MapBatchDashboardTelemetry(this WebApplication app)
    {
        if (app.Configuration.GetValue<bool>(PrometheusSetting))
        {
            app.MapPrometheusScrapingEndpoint();
        }

        return app;
    }

    private static bool IsNoise(PathString path) =>
        path.Value is { } value && (value.EndsWith("/alive", StringComparison.Ordinal) || value.EndsWith("/health", StringComparison.Ordinal)
            || value.EndsWith("/healthz", StringComparison.Ordinal) || value.EndsWith("/metrics", StringComparison.Ordinal)
            || value.Contains("/_content/", StringComparison.Ordinal) || value.Contains("/_framework/", StringComparison.Ordinal)
            || value.Contains("/_blazor", StringComparison.Ordinal));
}
