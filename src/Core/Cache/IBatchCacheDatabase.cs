namespace BatchDashboard.Core.Cache;

/// <summary>The cache database as a whole: creation, migration and a health probe.</summary>
public interface IBatchCacheDatabase
{
    /// <summary>Creates the database file when missing and applies every pending migration.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Opens the database and runs a trivial query; never throws for an unreachable database.</summary>
    Task<CacheStatus> CheckAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The last check while it is at most <paramref name="maxAge"/> old, else a new one: for a view that shows the
    /// state on every page (it shows when it was checked), so page views do not each open the database to ask.
    /// </summary>
    Task<CacheStatus> RecentCheckAsync(TimeSpan maxAge, CancellationToken cancellationToken);
}
