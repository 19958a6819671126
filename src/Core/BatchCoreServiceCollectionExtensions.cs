using BatchDashboard.Core.Api;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Results;
using BatchDashboard.Core.Submissions;
using BatchDashboard.Core.Sync;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Refit;

namespace BatchDashboard.Core;

public static class BatchCoreServiceCollectionExtensions
{
    private static readonly SqlitePragmaInterceptor PragmaInterceptor = new();

    /// <summary>What relative cache paths are relative to: the host's content root (the app's folder without one).</summary>
    private static string ContentRoot(IServiceProvider provider) =>
        provider.GetService<IHostEnvironment>()?.ContentRootPath ?? AppContext.BaseDirectory;

    /// <summary>
    /// Registers Core: the connections from configuration, the API client, and the batch cache (SQLite through
    /// EF Core, migrated at start-up). A relative SQLite path in <c>ConnectionStrings:BatchCache</c> is taken relative
    /// to the host's content root.
    /// </summary>
    public static IServiceCollection AddBatchCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<BatchCacheOptions>()
            .Bind(configuration.GetSection(BatchCacheOptions.SectionName))
            .Configure(options =>
            {
                var configured = configuration.GetConnectionString(BatchCacheOptions.ConnectionStringName);
                if (!string.IsNullOrWhiteSpace(configured))
                {
                    options.ConnectionString = configured;
                }
            })
            .Validate(o => o.Provider != CacheProvider.Postgres || o.ConnectionString != BatchCacheOptions.DefaultConnectionString,
                $"{BatchCacheOptions.SectionName}:Provider is Postgres: set ConnectionStrings:{BatchCacheOptions.ConnectionStringName} to an Npgsql connection string (Host=…;Database=…;Username=…).")
            .ValidateOnStart();

        services.TryAddSingleton<IDbContextFactory<BatchCacheDbContext>>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<BatchCacheOptions>>().Value;
            return BatchCacheContextFactory.Create(options, ContentRoot(provider), PragmaInterceptor);
        });

        services.TryAddSingleton(provider => ResultFilesLocation.For(
            provider.GetRequiredService<IOptions<BatchCacheOptions>>().Value,
            ContentRoot(provider)));
        services.TryAddSingleton<IBatchCacheDatabase, BatchCacheDatabase>();
        services.TryAddSingleton(provider => new SharedKeyStore(provider.GetRequiredService<IDbContextFactory<BatchCacheDbContext>>()));
        services.AddHostedService<CacheMigrationService>();

        // Connections: validated at start-up, every problem reported at once with its configuration key.
        // Each options class owns one section under BatchDashboard (the dashboard's own keys are DashboardOptions').
        services.AddOptions<ConnectionListOptions>()
            .Configure(o => configuration.GetSection(ConnectionListOptions.SectionName).Bind(o.Entries)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConnectionListOptions>>(new ConnectionListOptionsValidator(configuration));
        services.TryAddSingleton(provider => new ConnectionCatalog(configuration, provider.GetRequiredService<IOptions<ConnectionListOptions>>()));
        services.AddOptions<SyncOptions>().Bind(configuration.GetSection(SyncOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SyncOptions>, SyncOptionsValidator>();
        services.TryAddSingleton<IConnectionCatalog>(provider => provider.GetRequiredService<ConnectionCatalog>());

        // The API client: the routes as one Refit client, shared by every connection; each request carries its
        // connection (ApiCall) to the handlers, outermost first: errors, address, retries, credentials.
        services.AddOptions<ApiResilienceOptions>().Bind(configuration.GetSection(ApiResilienceOptionsValidator.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiResilienceOptions>, ApiResilienceOptionsValidator>();
        services.TryAddTransient<ApiErrorHandler>();
        services.TryAddTransient<ConnectionAddressHandler>();
        services.TryAddTransient<ResilienceHandler>();
        services.TryAddTransient<AuthenticationHandler>();
        services.AddRefitGeneratedClient<IBatchApiRoutes>(BatchApiClient.RefitSettings())
            .ConfigureHttpClient(client =>
            {
                client.BaseAddress = ConnectionAddressHandler.Placeholder;
                client.Timeout = Timeout.InfiniteTimeSpan; // the resilience handler's timeouts apply
            })
            .AddHttpMessageHandler<ApiErrorHandler>()
            .AddHttpMessageHandler<ConnectionAddressHandler>()
            .AddHttpMessageHandler<ResilienceHandler>()
            .AddHttpMessageHandler<AuthenticationHandler>();
        services.TryAddSingleton<IBatchApiClientFactory, BatchApiClientFactory>();

        // The cache's two sides: the sync writes through the store, pages read through the queries.
        services.TryAddSingleton<CacheGeneration>();
        services.TryAddSingleton<InsightRollups>();
        services.TryAddSingleton<BatchStore>();
        services.TryAddSingleton<IBatchQueries, BatchQueries>();
        services.TryAddSingleton<BatchChangeNotifier>();
        services.TryAddSingleton<IBatchChangeNotifications>(provider => provider.GetRequiredService<BatchChangeNotifier>());
        services.TryAddSingleton<SyncStatusBoard>();
        services.TryAddSingleton<ISyncStatusProvider>(provider => provider.GetRequiredService<SyncStatusBoard>());

        // The results explorer: files indexed in the background into the cache, read beside their local copies.
        services.TryAddSingleton<ResultStore>();
        services.TryAddSingleton<ResultIndexer>();
        services.TryAddSingleton<ResultIndexService>();
        services.TryAddSingleton<IResultIndexing>(provider => provider.GetRequiredService<ResultIndexService>());
        services.AddHostedService(provider => provider.GetRequiredService<ResultIndexService>());
        services.TryAddSingleton<IResultQueries, ResultQueries>();
        services.TryAddSingleton<IBatchSubmissions, BatchSubmissions>();
        services.TryAddSingleton<IBatchRetries, BatchRetries>();
        services.TryAddSingleton<Audit.IAuditLog, Audit.AuditLog>();
        services.AddOptions<PricingOptions>().Bind(configuration.GetSection(PricingOptions.SectionName))
            .Validate(o => o.BatchDiscount is >= 0 and <= 1, $"{PricingOptions.SectionName}:BatchDiscount must be between 0 and 1.")
            .Validate(o => o.Models.TrueForAll(m => !string.IsNullOrWhiteSpace(m.Model) && m.Input >= 0 && m.CachedInput >= 0 && m.Output >= 0),
                $"{PricingOptions.SectionName}:Models: each entry needs a Model and prices of 0 or more (Input, CachedInput, Output, in USD per million tokens).")
            .ValidateOnStart();
        services.AddOptions<Batches.BatchInsightOptions>().Bind(configuration.GetSection(Batches.BatchInsightOptions.SectionName))
            .Validate(o => o.FailureRate is > 0 and <= 1,
                $"{Batches.BatchInsightOptions.SectionName}:FailureRate must be more than 0 and at most 1 (0.1 flags a batch once more than one in ten of its finished requests failed).")
            .ValidateOnStart();

        // Capacity: each running batch's input file counted in prompt tokens, against each model's queued-token limit.
        services.AddOptions<Capacity.CapacityOptions>().Bind(configuration.GetSection(Capacity.CapacityOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Capacity.CapacityOptions>, Capacity.CapacityOptionsValidator>();
        services.TryAddSingleton<Capacity.CapacityStore>();
        services.TryAddSingleton<Capacity.ICapacityQueries, Capacity.CapacityQueries>();
        services.TryAddSingleton<Insights.IInsightQueries, Insights.InsightQueries>();
        // Insights: failed batches' files indexed in the background when asked to, for the failures by error code.
        services.AddOptions<Insights.InsightOptions>().Bind(configuration.GetSection(Insights.InsightOptions.SectionName))
            .Validate(o => o.IndexFailedBatchesWithin is null || o.IndexFailedBatchesWithin > TimeSpan.Zero,
                $"{Insights.InsightOptions.SectionName}:IndexFailedBatchesWithin must be a positive time span (30.00:00:00 for 30 days), or left out.")
            .ValidateOnStart();
        services.AddHostedService<Insights.FailedBatchIndexing>();
        services.TryAddSingleton<Capacity.InputTokenCountingService>();
        services.TryAddSingleton<Capacity.IInputTokenCounting>(provider => provider.GetRequiredService<Capacity.InputTokenCountingService>());

        // Registered after the migration service, so the schema is there before the first cycle.
        services.TryAddSingleton<SyncLease>();
        services.TryAddSingleton<CacheFollower>();
        services.TryAddSingleton<ConnectionSyncers>();
        services.TryAddSingleton<SyncLoop>();
        services.TryAddSingleton<SyncLeadership>();
        services.TryAddSingleton<ISyncRole>(provider => provider.GetRequiredService<SyncLeadership>());
        services.AddHostedService(provider => provider.GetRequiredService<SyncLeadership>());
        services.AddHostedService(provider => provider.GetRequiredService<Capacity.InputTokenCountingService>());
        services.TryAddSingleton<IBatchOperations, BatchOperations>();

        // Webhooks: the provider's batch events, verified and acted on once, fetched right after the answer.
        services.TryAddSingleton<WebhookReceiptStore>();
        services.TryAddSingleton<Webhooks.WebhookRefresher>();
        services.TryAddSingleton<Webhooks.IWebhookInbox, Webhooks.WebhookInbox>();
        services.AddHostedService(provider => provider.GetRequiredService<Webhooks.WebhookRefresher>());

        // Notifications: events from the cache, matched against the rules once, delivered with retries by the syncing instance.
        services.AddOptions<Notifications.NotificationOptions>().Bind(configuration.GetSection(Notifications.NotificationOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Notifications.NotificationOptions>>(new Notifications.NotificationOptionsValidator(configuration));
        services.TryAddSingleton(provider => new Notifications.NotificationSettings(configuration, provider.GetRequiredService<IOptions<Notifications.NotificationOptions>>()));
        services.TryAddSingleton<NotificationStore>();
        // Never logged by the factory: a Slack channel's address is its secret (telemetry leaves it out too: SecretAddress).
        services.AddHttpClient(Notifications.NotificationSender.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30)).RemoveAllLoggers();
        services.TryAddSingleton<Notifications.NotificationSender>();
        services.TryAddSingleton<Notifications.NotificationService>();
        services.TryAddSingleton<Notifications.INotificationLog>(provider => provider.GetRequiredService<Notifications.NotificationService>());
        services.AddHostedService(provider => provider.GetRequiredService<Notifications.NotificationService>());
        return services;
    }
}
