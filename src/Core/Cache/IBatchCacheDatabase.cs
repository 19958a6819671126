namespace BatchDashboard.Core.Cache;

/// <summary>The cache database as a whole: creation, migration and a health probe.</summary>
public interface IBatchCacheDatabase
{
    /// <summary>Creates the database file when missing and applies every pending migration.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Opens the database and runs a trivial query; never throws for an unreachable database.</summary>
    Task<CacheStatus> CheckAsync(CancellationToken cancellationToken);
}
