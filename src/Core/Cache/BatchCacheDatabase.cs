using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Cache;

internal sealed class BatchCacheDatabase(
    IDbContextFactory<BatchCacheDbContext> contextFactory,
    TimeProvider timeProvider,
    IOptions<BatchCacheOptions> options,
    ILogger<BatchCacheDatabase> logger) : IBatchCacheDatabase
{
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (options.Value.ResetOnStart)
        {
            Reset(context);
        }

        var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} cache migration(s) to {DataSource}", pending.Count, DataSourceOf(context));
        }

        await context.Database.MigrateAsync(cancellationToken);
        // WAL lets pages read while the sync writes; the mode is stored in the file, so once is enough.
        await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        // Refreshes the planner's statistics where the data has grown since they were taken (cheap when it has not).
        await context.Database.ExecuteSqlRawAsync("PRAGMA optimize;", cancellationToken);
    }

    public async Task<CacheStatus> CheckAsync(CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var dataSource = DataSourceOf(context);
        try
        {
            if (!await context.Database.CanConnectAsync(cancellationToken))
            {
                return new CacheStatus(false, dataSource, 0, "The database cannot be opened.", timeProvider.GetUtcNow());
            }

            var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            return new CacheStatus(true, dataSource, pending, null, timeProvider.GetUtcNow());
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException or IOException)
        {
            logger.LogWarning(ex, "Cache database {DataSource} is not reachable", dataSource);
            return new CacheStatus(false, dataSource, 0, ex.Message, timeProvider.GetUtcNow());
        }
    }

    private void Reset(DbContext context)
    {
        var path = DataSourceOf(context);
        if (string.IsNullOrEmpty(path) || path == ":memory:")
        {
            return;
        }

        logger.LogInformation("Starting the cache {DataSource} afresh", path);
        SqliteConnection.ClearAllPools();
        // The write-ahead log and its index go too: left beside a new file, SQLite could replay them into it.
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        // The local copies of batches' files belong to this cache.
        var files = Results.ResultFilesFolder.For(Path.GetFullPath(path));
        if (Directory.Exists(files))
        {
            Directory.Delete(files, recursive: true);
        }
    }

    private static string DataSourceOf(DbContext context) =>
        new SqliteConnectionStringBuilder(context.Database.GetConnectionString()).DataSource;
}
