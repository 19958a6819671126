using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BatchDashboard.Core.Cache;

/// <summary>
/// Makes the cache's contexts for the configured provider: <see cref="BatchCacheDbContext"/> on SQLite,
/// <see cref="PostgresCacheDbContext"/> on PostgreSQL (each finds its own migrations by its type).
/// </summary>
internal sealed class BatchCacheContextFactory(Func<BatchCacheDbContext> create) : IDbContextFactory<BatchCacheDbContext>
{
    public BatchCacheDbContext CreateDbContext() => create();

    public static BatchCacheContextFactory Create(BatchCacheOptions options, string contentRoot, IInterceptor sqlitePragmas)
    {
        if (options.Provider == CacheProvider.Postgres)
        {
            var postgres = new DbContextOptionsBuilder<PostgresCacheDbContext>()
                .UseNpgsql(options.ConnectionString)
                .Options;
            return new BatchCacheContextFactory(() => new PostgresCacheDbContext(postgres));
        }

        var sqlite = new DbContextOptionsBuilder<BatchCacheDbContext>()
            .UseSqlite(SqliteConnectionStrings.Resolve(options.ConnectionString, contentRoot))
            .AddInterceptors(sqlitePragmas)
            .Options;
        return new BatchCacheContextFactory(() => new BatchCacheDbContext(sqlite));
    }
}
