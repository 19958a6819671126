using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Submissions;

namespace BatchDashboard.Core.Sync;

/// <summary>Actions on one batch that go to the API and then into the cache, notifying pages.</summary>
public interface IBatchOperations
{
    /// <summary>Fetches the batch now ("refresh now"). Null when the API no longer knows it (the cache keeps it).</summary>
    Task<Batch?> RefreshAsync(string connectionId, string batchId, CancellationToken cancellationToken);

    /// <summary>Asks the API to cancel the batch and stores its answer (normally <c>cancelling</c>).</summary>
    Task<Batch?> CancelAsync(string connectionId, string batchId, CancellationToken cancellationToken);

    /// <summary>
    /// Uploads the input file (purpose <c>batch</c>) and creates a batch of it, then stores the API's answer so the
    /// pages show it at once. Neither step is retried: both create something. Settings the API would refuse
    /// (<see cref="BatchSubmission.Validate"/>) throw <see cref="ArgumentException"/> before anything is sent.
    /// </summary>
    /// <param name="uploaded">Told the bytes of the file sent so far.</param>
    Task<Batch> CreateAsync(string connectionId, Stream input, string fileName, BatchSubmission submission, IProgress<long>? uploaded, CancellationToken cancellationToken);
}
