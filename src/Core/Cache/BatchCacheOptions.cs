namespace BatchDashboard.Core.Cache;

/// <summary>Where the SQLite cache lives. Bound from <c>ConnectionStrings:BatchCache</c>.</summary>
public sealed class BatchCacheOptions
{
    public const string ConnectionStringName = "BatchCache";

    /// <summary>The default: a file in a data folder beside the app's content root, created on first start.</summary>
    public const string DefaultConnectionString = "Data Source=data/batch-cache.db";

    public string ConnectionString { get; set; } = DefaultConnectionString;

    /// <summary>
    /// Deletes the database file at start-up, before migrating: for a cache whose upstream starts afresh each time
    /// (the dashboard's demo on its built-in emulator). Off for real connections, whose cache outlives restarts.
    /// </summary>
    public bool ResetOnStart { get; set; }
}
