using BatchDashboard.Core.Cache;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core;

public static class BatchCoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the batch cache (SQLite through EF Core, migrated at start-up). A relative SQLite path in
    /// <c>ConnectionStrings:BatchCache</c> is taken relative to the host's content root.
    /// </summary>
    public static IServiceCollection AddBatchCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<BatchCacheOptions>()
            .Configure(options =>
            {
                var configured = configuration.GetConnectionString(BatchCacheOptions.ConnectionStringName);
                if (!string.IsNullOrWhiteSpace(configured))
                {
                    options.ConnectionString = configured;
                }
            });

        services.AddDbContextFactory<BatchCacheDbContext>((provider, builder) =>
        {
            var options = provider.GetRequiredService<IOptions<BatchCacheOptions>>().Value;
            var contentRoot = provider.GetService<IHostEnvironment>()?.ContentRootPath ?? AppContext.BaseDirectory;
            builder.UseSqlite(SqliteConnectionStrings.Resolve(options.ConnectionString, contentRoot));
        });

        services.TryAddSingleton<IBatchCacheDatabase, BatchCacheDatabase>();
        services.AddHostedService<CacheMigrationService>();
        return services;
    }
}
