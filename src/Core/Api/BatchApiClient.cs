using System.Net;
using System.Text.Json;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Refit;

namespace BatchDashboard.Core.Api;

internal sealed class BatchApiClientFactory(IServiceProvider services, ILoggerFactory loggerFactory) : IBatchApiClientFactory
{
    private readonly ILogger<BatchApiClient> _logger = loggerFactory.CreateLogger<BatchApiClient>();

    // A connection's client lives as long as the app; the routes are taken from IHttpClientFactory for each call, so
    // its handlers are renewed on their lifetime (and DNS changes seen) as for any typed client.
    public IBatchApiClient Create(ApiConnection connection) =>
        new BatchApiClient(services.GetRequiredService<IBatchApiRoutes>, connection, _logger);
}

/// <summary>
/// One connection's view of <see cref="IBatchApiRoutes"/>: says how each call may be treated (<see cref="ApiCall"/>)
/// and reads the answers with the tolerant reader. Failures arrive as <see cref="BatchApiException"/> from
/// <see cref="ApiErrorHandler"/>; the one made here is an answer whose body is not the JSON the API sends.
/// </summary>
internal sealed class BatchApiClient(Func<IBatchApiRoutes> routesFactory, ApiConnection connection, ILogger<BatchApiClient> logger) : IBatchApiClient
{
    private IBatchApiRoutes Routes => routesFactory();

    public ApiConnection Connection => connection;

    /// <summary>
    /// JSON bodies through the source-generated context; the handlers' <see cref="BatchApiException"/> reaches the
    /// caller as it is (Refit would wrap it in its own exception).
    /// </summary>
    public static RefitSettings RefitSettings()
    {
        var settings = new RefitSettings(new SystemTextJsonContentSerializer(ApiJsonContext.Default.Options));
        var wrap = settings.TransportExceptionFactory;
        settings.TransportExceptionFactory = (request, exception, cancellationToken) =>
            exception is BatchApiException ? exception : wrap(request, exception, cancellationToken);
        return settings;
    }

    public async Task<BatchPage> ListBatchesAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 1, 100);
        var page = await ReadAsync(Routes.ListBatchesAsync(limit, string.IsNullOrEmpty(after) ? null : after, new ApiCall(connection) { Retriable = true },
            cancellationToken), root => ApiJson.ReadBatchPage(root, limit), cancellationToken);
        foreach (var rejected in page!.Rejected)
        {
            // The id as sent, clipped: a damaged one can be any JSON, of any length.
            var id = rejected.Id is { Length: > 80 } longId ? longId[..80] + "…" : rejected.Id;
            logger.LogWarning("Skipped a batch of connection {Connection} that could not be read: {Id}: {Error}",
                connection.Id, string.IsNullOrEmpty(id) ? "(no id)" : id, rejected.Error);
        }

        return page;
    }

    public Task<Batch?> GetBatchAsync(string batchId, CancellationToken cancellationToken) =>
        ReadAsync(Routes.GetBatchAsync(batchId, ApiCall.Lookup(connection), cancellationToken), ReadBatch, cancellationToken);

    // Cancelling twice has the same effect as once, so it is safe to retry.
    public Task<Batch?> CancelBatchAsync(string batchId, CancellationToken cancellationToken) =>
        ReadAsync(Routes.CancelBatchAsync(batchId, ApiCall.Lookup(connection), cancellationToken), ReadBatch, cancellationToken);

    public async Task<Batch> CreateBatchAsync(CreateBatchRequest request, CancellationToken cancellationToken) =>
        (await ReadAsync(Routes.CreateBatchAsync(request, new ApiCall(connection), cancellationToken), ReadBatch, cancellationToken))!;

    public Task<BatchFile?> GetFileAsync(string fileId, CancellationToken cancellationToken) =>
        ReadAsync(Routes.GetFileAsync(fileId, ApiCall.Lookup(connection), cancellationToken), ApiJson.ReadFile, cancellationToken);

    public async Task<Stream?> OpenFileContentAsync(string fileId, CancellationToken cancellationToken)
    {
        var response = await Routes.GetFileContentAsync(fileId, ApiCall.Lookup(connection) with { Streamed = true }, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            return null;
        }

        // Disposing the content stream releases the connection.
        return new ApiContentStream(await response.Content.ReadAsStreamAsync(cancellationToken));
    }

    public async Task<BatchFile> UploadBatchFileAsync(Stream content, string fileName, CancellationToken cancellationToken) =>
        (await ReadAsync(Routes.UploadFileAsync("batch", new StreamPart(content, fileName, "application/jsonl"),
            new ApiCall(connection) { Unbounded = true }, cancellationToken), ApiJson.ReadFile, cancellationToken))!;

    private static Batch ReadBatch(JsonElement root)
    {
        var result = BatchReader.Read(root);
        return result.Batch ?? throw new JsonException(result.Error);
    }

    /// <summary>The answer read with <paramref name="read"/>, or null for a 404 the call took as an answer.</summary>
    private async Task<T?> ReadAsync<T>(Task<HttpResponseMessage> sending, Func<JsonElement, T> read, CancellationToken cancellationToken) where T : class
    {
        using var response = await sending;
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(body, default, cancellationToken);
            return read(document.RootElement);
        }
        catch (JsonException ex)
        {
            var requestId = ApiErrorHandler.RequestIdOf(response);
            logger.LogWarning("Connection {Connection}: {Method} {Path} answered {Status} with a body that is not the expected JSON (request id {RequestId})",
                connection.Id, response.RequestMessage?.Method, response.RequestMessage?.RequestUri?.AbsolutePath, (int)response.StatusCode, requestId);
            throw new BatchApiException(ApiFailureKind.MalformedResponse, $"The API's answer could not be read: {ex.Message}",
                response.StatusCode, requestId: requestId, innerException: ex);
        }
    }
}
