namespace BatchDashboard.Core.Cache;

/// <summary>
/// Where the cache lives. The connection string is <c>ConnectionStrings:BatchCache</c>; the rest is bound from
/// <c>BatchDashboard:Database</c>.
/// </summary>
public sealed class BatchCacheOptions
{
    public const string ConnectionStringName = "BatchCache";

    public const string SectionName = "BatchDashboard:Database";

    /// <summary>The default: a file in a data folder beside the app's content root, created on first start.</summary>
    public const string DefaultConnectionString = "Data Source=data/batch-cache.db";

    /// <summary>
    /// <see cref="CacheProvider.Sqlite"/> (the default: one file, one instance) or <see cref="CacheProvider.Postgres"/>
    /// (an Npgsql connection string in <c>ConnectionStrings:BatchCache</c>; several instances share it, one syncs).
    /// </summary>
    public CacheProvider Provider { get; set; } = CacheProvider.Sqlite;

    public string ConnectionString { get; set; } = DefaultConnectionString;

    /// <summary>
    /// Where the local copies of batches' files go, relative to the content root. By default a folder beside the
    /// SQLite file (<c>data/batch-cache-files</c>), or <c>data/batch-cache-files</c> with PostgreSQL. Instances that
    /// share a PostgreSQL cache should share this folder too (a network file system), or each copies the files it
    /// is asked for again.
    /// </summary>
    public string? FilesFolder { get; set; }

    /// <summary>
    /// Deletes the database file at start-up, before migrating: for a cache whose upstream starts afresh each time
    /// (the dashboard's demo on its built-in emulator). Off for real connections, whose cache outlives restarts.
    /// SQLite only.
    /// </summary>
    public bool ResetOnStart { get; set; }
}
