using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Connections;
using Microsoft.Extensions.Logging;
using Polly.Timeout;

namespace BatchDashboard.Core.Api;

internal sealed class BatchApiClientFactory(IHttpClientFactory httpClientFactory, ILoggerFactory loggerFactory) : IBatchApiClientFactory
{
    public const string HttpClientName = "batch-api";

    public IBatchApiClient Create(ApiConnection connection) =>
        new BatchApiClient(httpClientFactory.CreateClient(HttpClientName), connection, loggerFactory.CreateLogger<BatchApiClient>());
}

internal sealed class BatchApiClient(HttpClient http, ApiConnection connection, ILogger<BatchApiClient> logger) : IBatchApiClient
{
    public ApiConnection Connection => connection;

    public async Task<BatchPage> ListBatchesAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 1, 100);
        var query = $"limit={limit}" + (string.IsNullOrEmpty(after) ? "" : $"&after={Uri.EscapeDataString(after)}");
        var page = await SendAsync(HttpMethod.Get, "batches", query, null, retriable: true,
            root => ApiJson.ReadBatchPage(root, limit), notFoundIsAnswer: false, cancellationToken);
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
        SendAsync(HttpMethod.Get, $"batches/{Escape(batchId)}", null, null, retriable: true, ReadBatch, notFoundIsAnswer: true, cancellationToken);

    // Cancelling twice has the same effect as once, so it is safe to retry.
    public Task<Batch?> CancelBatchAsync(string batchId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"batches/{Escape(batchId)}/cancel", null, null, retriable: true, ReadBatch, notFoundIsAnswer: true, cancellationToken);

    public async Task<Batch> CreateBatchAsync(CreateBatchRequest request, CancellationToken cancellationToken)
    {
        var content = JsonContent.Create(request, ApiJsonContext.Default.CreateBatchRequest);
        return (await SendAsync(HttpMethod.Post, "batches", null, content, retriable: false, ReadBatch, notFoundIsAnswer: false, cancellationToken))!;
    }

    public Task<BatchFile?> GetFileAsync(string fileId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"files/{Escape(fileId)}", null, null, retriable: true, ApiJson.ReadFile, notFoundIsAnswer: true, cancellationToken);

    public async Task<Stream?> OpenFileContentAsync(string fileId, CancellationToken cancellationToken)
    {
        using var request = NewRequest(HttpMethod.Get, $"files/{Escape(fileId)}/content", null, null, retriable: true);
        request.Options.Set(ApiRequest.Streamed, true);
        var response = await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ErrorAsync(response, cancellationToken);
            }
        }

        // Disposing the content stream releases the connection.
        return new ApiContentStream(await response.Content.ReadAsStreamAsync(cancellationToken));
    }

    public async Task<BatchFile> UploadBatchFileAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent("batch"), "purpose" },
        };
        var file = new StreamContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        form.Add(file, "file", fileName);
        return (await SendAsync(HttpMethod.Post, "files", null, form, retriable: false, ApiJson.ReadFile, notFoundIsAnswer: false, cancellationToken,
            unbounded: true))!;
    }

    private static Batch ReadBatch(JsonElement root)
    {
        var result = BatchReader.Read(root);
        return result.Batch ?? throw new JsonException(result.Error);
    }

    private async Task<T?> SendAsync<T>(HttpMethod method, string path, string? query, HttpContent? content, bool retriable,
        Func<JsonElement, T> read, bool notFoundIsAnswer, CancellationToken cancellationToken, bool unbounded = false) where T : class
    {
        using var request = NewRequest(method, path, query, content, retriable);
        request.Options.Set(ApiRequest.Unbounded, unbounded);
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound && notFoundIsAnswer)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, cancellationToken);
        }

        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(body, default, cancellationToken);
            return read(document.RootElement);
        }
        catch (JsonException ex)
        {
            var requestId = RequestIdOf(response);
            logger.LogWarning("Connection {Connection}: {Method} {Path} answered {Status} with a body that is not the expected JSON (request id {RequestId})",
                connection.Id, method, path, (int)response.StatusCode, requestId);
            throw new BatchApiException(ApiFailureKind.MalformedResponse, $"The API's answer could not be read: {ex.Message}",
                response.StatusCode, requestId: requestId, innerException: ex);
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, completion, cancellationToken);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new BatchApiException(ApiFailureKind.Timeout, $"The API did not answer in time ({ex.Timeout.TotalSeconds:0.#} s).", innerException: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new BatchApiException(ApiFailureKind.Network, $"The API could not be reached: {ex.Message}", innerException: ex);
        }
        catch (IOException ex)
        {
            throw new BatchApiException(ApiFailureKind.Network, $"The connection to the API broke: {ex.Message}", innerException: ex);
        }
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string path, string? query, HttpContent? content, bool retriable)
    {
        var request = new HttpRequestMessage(method, BuildUri(path, query)) { Content = content };
        request.Options.Set(ApiRequest.Connection, connection);
        request.Options.Set(ApiRequest.Retriable, retriable);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    /// <summary>The base address, the path, the query and, for Azure's classic paths, <c>api-version</c>.</summary>
    internal Uri BuildUri(string path, string? query)
    {
        var baseUrl = connection.BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        var parts = new List<string>(3);
        var baseQuery = connection.BaseUrl.Query.TrimStart('?');
        if (baseQuery.Length > 0)
        {
            parts.Add(baseQuery);
        }

        if (!string.IsNullOrEmpty(query))
        {
            parts.Add(query);
        }

        if (connection.ApiVersion is { } version && !baseQuery.Contains("api-version=", StringComparison.Ordinal))
        {
            parts.Add($"api-version={Uri.EscapeDataString(version)}");
        }

        return new Uri(parts.Count == 0 ? $"{baseUrl}/{path}" : $"{baseUrl}/{path}?{string.Join('&', parts)}");
    }

    private async Task<BatchApiException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? body = null;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // The status says enough; the body was lost with the connection.
        }

        // An upstream (a proxy, a gateway) may echo the key in its error text; it goes no further than here.
        if (body is not null && connection.ApiKey.Length > 0)
        {
            body = body.Replace(connection.ApiKey, "[API key removed]", StringComparison.Ordinal);
        }

        var error = ApiJson.ReadError(response.StatusCode, body, RequestIdOf(response));
        logger.LogWarning("Connection {Connection}: {Method} {Path} failed: {Summary} (request id {RequestId})",
            connection.Id, response.RequestMessage?.Method, response.RequestMessage?.RequestUri?.AbsolutePath, error.Summary, error.RequestId);
        return error;
    }

    private static string? RequestIdOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-request-id", out var values) ? values.FirstOrDefault() : null;

    private static string Escape(string id) => Uri.EscapeDataString(id);
}
