using Refit;

namespace BatchDashboard.Core.Api;

/// <summary>
/// The routes of the Batch and Files APIs, declared once; Refit generates the client at build time. Answers come back
/// as <see cref="HttpResponseMessage"/>, so our tolerant reader stays the one parser (one damaged batch never fails a
/// page) and a file's content is read as it arrives. Paths are relative to a placeholder address:
/// <see cref="ConnectionAddressHandler"/> puts each request on its connection's base URL, and the other handlers
/// around this client add credentials, retries and the error mapping (see <see cref="ApiCall"/>).
/// </summary>
internal interface IBatchApiRoutes
{
    [Get("/batches")]
    Task<HttpResponseMessage> ListBatchesAsync(int limit, string? after, [Property(ApiCall.Key)] ApiCall call, CancellationToken cancellationToken);

    [Get("/batches/{batchId}")]
    Task<HttpResponseMessage> GetBatchAsync(string batchId, [Property(ApiCall.Key)] ApiCall call, CancellationToken cancellationToken);

    [Post("/batches/{batchId}/cancel")]
    Task<HttpResponseMessage> CancelBatchAsync(string batchId, [Property(ApiCall.Key)] ApiCall call, CancellationToken cancellationToken);

    // Buffered: sent with a Content-Length rather than chunked, as the API and the proxies in front of it expect.
    [Post("/batches")]
    Task<HttpResponseMessage> CreateBatchAsync([Body(buffered: true)] CreateBatchRequest request, [Property(ApiCall.Key)] ApiCall call,
        CancellationToken cancellationToken);

    [Get("/files/{fileId}")]
    Task<HttpResponseMessage> GetFileAsync(string fileId, [Property(ApiCall.Key)] ApiCall call, CancellationToken cancellationToken);

    [Get("/files/{fileId}/content")]
    Task<HttpResponseMessage> GetFileContentAsync(string fileId, [Property(ApiCall.Key)] ApiCall call, CancellationToken cancellationToken);

    [Multipart]
    [Post("/files")]
    Task<HttpResponseMessage> UploadFileAsync(string purpose, StreamPart file, [Property(ApiCall.Key)] ApiCall call, CancellationToken cancellationToken);
}
