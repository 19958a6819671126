using BatchDashboard.Core.Batches;

namespace BatchDashboard.Core.Sync;

/// <summary>Actions on one batch that go to the API and then into the cache, notifying pages.</summary>
public interface IBatchOperations
{
    /// <summary>Fetches the batch now ("refresh now"). Null when the API no longer knows it (the cache keeps it).</summary>
    Task<Batch?> RefreshAsync(string connectionId, string batchId, CancellationToken cancellationToken);

    /// <summary>Asks the API to cancel the batch and stores its answer (normally <c>cancelling</c>).</summary>
    Task<Batch?> CancelAsync(string connectionId, string batchId, CancellationToken cancellationToken);
}
