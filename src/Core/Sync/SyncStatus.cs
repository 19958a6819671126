namespace BatchDashboard.Core.Sync;

public enum SyncPhase
{
    /// <summary>Not started yet.</summary>
    Waiting,

    /// <summary>Paging through every batch for the first time.</summary>
    Importing,

    /// <summary>Up to date; polling.</summary>
    Polling,

    /// <summary>The last attempt failed; the cache still serves what it has.</summary>
    Failing,
}

/// <summary>The sync state of one connection, for the sync indicator and <c>/healthz</c>.</summary>
/// <param name="ImportedBatches">Batches the first import has stored so far (for its progress bar).</param>
/// <param name="LastError">The last failure in words a person can act on; never holds the key.</param>
public sealed record ConnectionSyncStatus(
    string ConnectionId,
    string ConnectionName,
    SyncPhase Phase,
    int ImportedBatches,
    DateTimeOffset? LastSuccessAt,
    string? LastError,
    bool Unauthorized);

/// <summary>The live sync state of every connection.</summary>
public interface ISyncStatusProvider
{
    IReadOnlyList<ConnectionSyncStatus> GetAll();
}

/// <summary>Whether this instance runs the sync: always with a cache of its own; with a shared one, only while it holds the lease.</summary>
public interface ISyncRole
{
    /// <summary>True when the cache is shared with other instances (PostgreSQL).</summary>
    bool SharesCache { get; }

    /// <summary>True while this instance runs the sync; false while it follows another's.</summary>
    bool IsSyncing { get; }
}
