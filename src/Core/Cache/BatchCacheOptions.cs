namespace BatchDashboard.Core.Cache;

/// <summary>Where the SQLite cache lives. Bound from <c>ConnectionStrings:BatchCache</c>.</summary>
public sealed class BatchCacheOptions
{
    public const string ConnectionStringName = "BatchCache";

    /// <summary>The default: a file in a data folder beside the app's content root, created on first start.</summary>
    public const string DefaultConnectionString = "Data Source=data/batch-cache.db";

    public string ConnectionString { get; set; } = DefaultConnectionString;
}
