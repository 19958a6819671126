namespace BatchDashboard.Core.Cache;

/// <summary>What the cache knows about the sync of one connection: when it last succeeded, and the last failure.</summary>
internal sealed class SyncStateRecord
{
    public required string ConnectionId { get; set; }

    /// <summary>Unix seconds of the last cycle that completed without an upstream error.</summary>
    public long? LastSuccessAt { get; set; }

    /// <summary>Unix seconds of the last cycle that was attempted.</summary>
    public long? LastAttemptAt { get; set; }

    public string? LastError { get; set; }

    /// <summary>True once the first import has paged through every batch of the connection.</summary>
    public bool InitialImportComplete { get; set; }

    /// <summary>The list cursor (<c>after</c>) where an interrupted first import resumes.</summary>
    public string? ImportCursor { get; set; }

    /// <summary>
    /// True once the connection's batches are in the free-text index (<c>batch_search</c>). It is built in one pass
    /// after the first import; from then on every write keeps it current. Until then, search scans.
    /// </summary>
    public bool SearchIndexed { get; set; }

    /// <summary>
    /// The newest batch the last whole head scan (or the first import's first page) saw: a later scan reads pages
    /// until it reaches this batch or an older one, since every batch newer than it may be unseen. Being cached is no
    /// sign of that: a scan cut short stores the pages it read, and the dashboard caches the batches it creates.
    /// </summary>
    public string? HeadMarkId { get; set; }

    /// <summary>The <c>created_at</c> (Unix seconds) of <see cref="HeadMarkId"/>, when the API gave one.</summary>
    public long? HeadMarkCreatedAt { get; set; }
}
