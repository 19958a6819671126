using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Connections;

namespace BatchDashboard.Core.Api;

/// <summary>
/// The Batch and Files APIs of one connection. A 404 is an answer (null); every other failure is a
/// <see cref="BatchApiException"/>. Reads and cancel are retried; create and upload never are.
/// </summary>
public interface IBatchApiClient
{
    ApiConnection Connection { get; }

    /// <summary>One page of batches, newest first. <paramref name="limit"/> is clamped to 1..100.</summary>
    Task<BatchPage> ListBatchesAsync(string? after, int limit, CancellationToken cancellationToken);

    Task<Batch?> GetBatchAsync(string batchId, CancellationToken cancellationToken);

    Task<Batch?> CancelBatchAsync(string batchId, CancellationToken cancellationToken);

    Task<Batch> CreateBatchAsync(CreateBatchRequest request, CancellationToken cancellationToken);

    Task<BatchFile?> GetFileAsync(string fileId, CancellationToken cancellationToken);

    /// <summary>The file's content as a stream to read as it arrives (files reach hundreds of MB). The caller disposes it.</summary>
    Task<Stream?> OpenFileContentAsync(string fileId, CancellationToken cancellationToken);

    /// <summary>Uploads a JSONL file with purpose <c>batch</c>.</summary>
    Task<BatchFile> UploadBatchFileAsync(Stream content, string fileName, CancellationToken cancellationToken);
}

/// <summary>Makes the client of a connection.</summary>
public interface IBatchApiClientFactory
{
    IBatchApiClient Create(ApiConnection connection);
}
