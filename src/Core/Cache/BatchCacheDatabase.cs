using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Cache;

internal sealed class BatchCacheDatabase(
    IDbContextFactory<BatchCacheDbContext> contextFactory,
    TimeProvider timeProvider,
    IOptions<BatchCacheOptions> options,
    ResultFilesLocation files,
    InsightRollups insights,
    ILogger<BatchCacheDatabase> logger) : IBatchCacheDatabase
{
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var sqlite = CacheDialect.Of(context).IsSqlite;
        if (options.Value.ResetOnStart && sqlite)
        {
            Reset(context);
        }

        var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} cache migration(s) to {DataSource}", pending.Count, DataSourceOf(context));
        }

        if (!sqlite)
        {
            await MigrateInTurnAsync(context, cancellationToken);
            await BatchStore.FillPhasesAsync(context, cancellationToken);
            await LearnLimitsAsync(context, pending, cancellationToken);
            await insights.RecountUncountedAsync(cancellationToken);
            return;
        }

        await context.Database.MigrateAsync(cancellationToken);
        await BatchStore.FillPhasesAsync(context, cancellationToken);
        await LearnLimitsAsync(context, pending, cancellationToken);
        // Once, for connections imported before the cache kept the insights' rollups.
        await insights.RecountUncountedAsync(cancellationToken);

        // WAL lets pages read while the sync writes; the mode is stored in the file, so once is enough.
        await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        // The deferred indexes, if a first import that left them out was cut short (a look at the schema otherwise).
        await context.Database.ExecuteSqlRawAsync(BatchStore.BuildDeferredIndexesSql, cancellationToken);
        // Refreshes the planner's statistics where the data has grown since they were taken (cheap when it has not).
        await context.Database.ExecuteSqlRawAsync("PRAGMA optimize;", cancellationToken);
    }

    /// <summary>
    /// Once, as the cache starts keeping learned limits (migration Capacity): the limits that batches cached before
    /// taught. Later batches teach theirs as they are stored.
    /// </summary>
    private static async Task LearnLimitsAsync(BatchCacheDbContext context, IReadOnlyList<string> applied, CancellationToken cancellationToken)
    {
        if (applied.Any(m => m.EndsWith("_Capacity", StringComparison.Ordinal)))
        {
            await BatchStore.LearnLimitsFromCachedAsync(context, cancellationToken);
        }
    }

    /// <summary>An arbitrary key of the advisory lock instances take while they migrate a shared PostgreSQL cache.</summary>
    private const long MigrationLockKey = 0x42_44_4D_49_47_52_41_54; // "BDMIGRAT"

    /// <summary>
    /// Instances starting together on one PostgreSQL take turns: each holds a session advisory lock on the
    /// connection it migrates through, for the whole run. EF's own lock lasts one migration's transaction, which two
    /// instances applying several pending migrations got past: both applied the second.
    /// </summary>
    private static async Task MigrateInTurnAsync(BatchCacheDbContext context, CancellationToken cancellationToken)
    {
        await context.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await LockAsync("pg_advisory_lock", cancellationToken);
            try
            {
                await context.Database.MigrateAsync(cancellationToken);
            }
            finally
            {
                // Given up at once: a pooled connection resets its session only when it is next used.
                await LockAsync("pg_advisory_unlock", CancellationToken.None);
            }
        }
        finally
        {
            await context.Database.CloseConnectionAsync();
        }

        async Task LockAsync(string function, CancellationToken token)
        {
            await using var command = context.Database.GetDbConnection().CreateCommand();
            command.CommandText = $"SELECT {function}(@key)";
            command.Add("@key", MigrationLockKey);
            await command.ExecuteNonQueryAsync(token);
        }
    }

    private CacheStatus? _lastCheck;

    public async Task<CacheStatus> RecentCheckAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var last = Volatile.Read(ref _lastCheck);
        return last is not null && timeProvider.GetUtcNow() - last.CheckedAt <= maxAge ? last : await CheckAsync(cancellationToken);
    }

    public async Task<CacheStatus> CheckAsync(CancellationToken cancellationToken)
    {
        var status = await CheckNowAsync(cancellationToken);
        Volatile.Write(ref _lastCheck, status);
        return status;
    }

    private async Task<CacheStatus> CheckNowAsync(CancellationToken cancellationToken)
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
        catch (Exception ex) when (ex is DbException or InvalidOperationException or IOException or TimeoutException)
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
        if (Directory.Exists(files.Folder))
        {
            Directory.Delete(files.Folder, recursive: true);
        }
    }

    /// <summary>Where the cache is, for logs and the health check: never the connection string (it may hold a password).</summary>
    private static string DataSourceOf(DbContext context)
    {
        if (CacheDialect.Of(context).IsSqlite)
        {
            return new SqliteConnectionStringBuilder(context.Database.GetConnectionString()).DataSource;
        }

        var postgres = new Npgsql.NpgsqlConnectionStringBuilder(context.Database.GetConnectionString());
        return $"postgres://{postgres.Host}:{postgres.Port}/{postgres.Database}";
    }
}
