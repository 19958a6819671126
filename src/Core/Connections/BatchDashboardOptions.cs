namespace BatchDashboard.Core.Connections;

/// <summary>The <c>BatchDashboard</c> configuration section.</summary>
public sealed class BatchDashboardOptions
{
    public const string SectionName = "BatchDashboard";

    /// <summary>Connections beyond the default one that <c>OPENAI_API_KEY</c> makes.</summary>
    public List<ConnectionOptions> Connections { get; set; } = [];

    public SyncOptions Sync { get; set; } = new();
}

/// <summary>One entry of <c>BatchDashboard:Connections</c>. It names where its key is; it never holds the key.</summary>
public sealed class ConnectionOptions
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public ConnectionKind Kind { get; set; } = ConnectionKind.OpenAI;
    public string? BaseUrl { get; set; }

    /// <summary>The environment variable or user-secret that holds the API key, e.g. <c>AZURE_OPENAI_API_KEY</c>.</summary>
    public string? ApiKeyName { get; set; }

    /// <summary>Rejected by validation: keys belong in the environment or user-secrets, named by <see cref="ApiKeyName"/>.</summary>
    public string? ApiKey { get; set; }

    public string? Organization { get; set; }
    public string? Project { get; set; }
    public string? ApiVersion { get; set; }
}

/// <summary>The <c>BatchDashboard:Sync</c> section: how often the cache is refreshed.</summary>
public sealed class SyncOptions
{
    /// <summary>How often a connection is polled while any of its batches is still running.</summary>
    public TimeSpan ActivePollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a connection is polled when none of its batches is running (new batches appear then).</summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Batches per list request, 1 to 100 (the API's maximum).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>How long to wait after a failed cycle before trying again.</summary>
    public TimeSpan ErrorRetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// With a shared PostgreSQL cache, how often an instance that does not sync reads what the syncing one wrote,
    /// to update its open pages.
    /// </summary>
    public TimeSpan FollowerPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the sync lease lasts without renewal: one and a half active intervals. The holder renews it every
    /// half interval and the others try to take it as often, so when the holder dies another instance syncs within
    /// two active intervals.
    /// </summary>
    public TimeSpan LeaseDuration => ActivePollInterval * 1.5;

    /// <summary>How often the lease is renewed by its holder, and tried by the others.</summary>
    public TimeSpan LeaseCheckInterval => ActivePollInterval / 2;
}
