using BatchDashboard.Core;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Demo;
using BatchDashboard.Dashboard.Health;
using BatchDashboard.Dashboard.Model;
using BatchDashboard.Dashboard.Security;
using BatchDashboard.Dashboard.Theming;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace BatchDashboard.Dashboard.Hosting;

public static class BatchDashboardServiceCollectionExtensions
{
    /// <summary>
    /// Registers everything the dashboard needs: Core (cache, client, sync), components, health checks, the role
    /// policies and the audited actions. Settings come from the <c>BatchDashboard</c> section, then
    /// <paramref name="configure"/> (a host's title, back link, read-only mode...).
    /// </summary>
    public static IServiceCollection AddBatchDashboard(this IServiceCollection services, IConfiguration configuration, Action<DashboardOptions>? configure = null)
    {
        services.AddOptions<DashboardOptions>().Bind(configuration.GetSection(DashboardOptions.SectionName)).ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        // Embedded, the host signs people in (the standalone app's configuration says Local).
        services.PostConfigure<DashboardOptions>(o => o.Access.Mode ??= AccessMode.Host);
        services.AddSingleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>();
        services.AddSingleton<DashboardMounts>();
        services.AddDashboardAuthorization();

        services.AddOptions<DemoOptions>().Bind(configuration.GetSection(DemoOptions.SectionName))
            .Validate(o => o.Batches is >= 0 and <= 100_000, $"{DemoOptions.SectionName}:Batches must be between 0 and 100000.")
            .ValidateOnStart();
        if (DemoOptions.IsActive(configuration))
        {
            AddDemo(services, configuration);
        }

        services.AddBatchCore(configuration);
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices(options => Notices.Configure(options.SnackbarConfiguration));
        services.AddSingleton<StaticHtml>();
        services.AddSingleton<BatchListRowsMarkup>();
        services.AddSingleton<ThemeCss>();
        services.AddScoped<BatchListViewModel>();
        services.AddScoped<BatchDetailViewModel>();
        services.AddScoped<ResultsViewModel>();
        services.AddScoped<NewBatchViewModel>();
        services.AddScoped<AuditLogViewModel>();
        services.AddScoped<NotificationLogViewModel>();
        services.AddHostedService<NotificationLinks>();
        services.AddScoped<SettingsViewModel>();
        services.AddScoped<CapacityViewModel>();
        services.AddScoped<InsightsViewModel>();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, Telemetry.CircuitTelemetry>();
        services.AddHealthChecks()
            .AddCheck("process", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy("The process answers."), tags: [HealthProbes.Live])
            .AddCheck<CacheHealthCheck>("cache", tags: [HealthProbes.Ready])
            .AddCheck<SyncHealthCheck>("sync", tags: [HealthProbes.Ready]);
        return services;
    }

    /// <summary>
    /// The demo: the emulator starts before Core's hosted services (registration order is start order), so its
    /// connection exists when the sync starts. Its cache is a separate file, started afresh each run, so demo
    /// batches never mix with a real account's.
    /// </summary>
    private static void AddDemo(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<DemoEmulatorService>();
        services.AddHostedService(provider => provider.GetRequiredService<DemoEmulatorService>());
        services.PostConfigure<BatchCacheOptions>(options =>
        {
            if (options.Provider != CacheProvider.Sqlite)
            {
                // The demo's batches are made up: never into a shared database.
                options.Provider = CacheProvider.Sqlite;
                options.ConnectionString = BatchCacheOptions.DefaultConnectionString;
            }

            var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
            if (builder.DataSource.Length > 0 && builder.DataSource != ":memory:")
            {
                builder.DataSource = Path.Combine(Path.GetDirectoryName(builder.DataSource) ?? "", "demo-" + Path.GetFileName(builder.DataSource));
                options.ConnectionString = builder.ToString();
            }

            options.ResetOnStart = true;
        });
        services.PostConfigure<Core.Insights.InsightOptions>(options =>
        {
            // The demo's files are generated on the spot: index its failed batches' files, so the insights' failures
            // by error code are worth a look from the start.
            options.IndexFailedBatchesWithin ??= TimeSpan.FromDays(30);
        });
        services.PostConfigure<SyncOptions>(options =>
        {
            // The demo's batches move every few seconds; show it unless the user chose an interval. Its webhooks bring
            // each end at once, but progress still comes by the poll: no slower poll for them either.
            if (configuration[$"{SyncOptions.SectionName}:ActivePollInterval"] is null)
            {
                options.ActivePollInterval = TimeSpan.FromSeconds(3);
            }

            if (configuration[$"{SyncOptions.SectionName}:WebhookPollInterval"] is null)
            {
                options.WebhookPollInterval = options.ActivePollInterval;
            }
        });
    }
}
