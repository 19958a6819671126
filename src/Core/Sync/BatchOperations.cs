using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Submissions;

namespace BatchDashboard.Core.Sync;

/// <summary>
/// A person's actions on a batch (refresh, cancel, create), each sent through its connection's syncer so the answer
/// lands in the cache and open pages at once. They run on any instance, syncing or not.
/// </summary>
internal sealed class BatchOperations(ConnectionSyncers syncers) : IBatchOperations
{
    public Task<Batch?> RefreshAsync(string connectionId, string batchId, CancellationToken cancellationToken) =>
        syncers.For(connectionId).RefreshAsync(batchId, cancellationToken);

    public Task<Batch?> CancelAsync(string connectionId, string batchId, CancellationToken cancellationToken) =>
        syncers.For(connectionId).CancelAsync(batchId, cancellationToken);

    public Task<Batch> CreateAsync(string connectionId, Stream input, string fileName, BatchSubmission submission, IProgress<long>? uploaded,
        CancellationToken cancellationToken) =>
        syncers.For(connectionId).CreateAsync(input, fileName, submission, uploaded, cancellationToken);
}
