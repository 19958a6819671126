using BatchDashboard.Core.Batches;

namespace BatchDashboard.Core.Sync;

/// <summary>
/// A person's actions on a batch (refresh, cancel), each sent through its connection's syncer so the answer
/// lands in the cache and open pages at once. They run on any instance, syncing or not.
/// </summary>
internal sealed class BatchOperations(ConnectionSyncers syncers) : IBatchOperations
{
    public Task<Batch?> RefreshAsync(string connectionId, string batchId, CancellationToken cancellationToken) =>
        syncers.For(connectionId).RefreshAsync(batchId, cancellationToken);

    public Task<Batch?> CancelAsync(string connectionId, string batchId, CancellationToken cancellationToken) =>
        syncers.For(connectionId).CancelAsync(batchId, cancellationToken);
}
