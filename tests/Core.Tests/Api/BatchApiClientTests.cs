using System.Net;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Tests.Shared;
using Microsoft.AspNetCore.Http;

namespace BatchDashboard.Core.Tests.Api;

/// <summary>The real client, handlers and retry policy against a real HTTP server on loopback.</summary>
public sealed class BatchApiClientTests : IAsyncDisposable
{
    private readonly Microsoft.Extensions.DependencyInjection.ServiceProvider _services = TestClients.Services();
    private ApiTestServer? _server;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private IBatchApiClient Start(Func<HttpContext, Task> handler, Func<Uri, ApiConnection>? connection = null)
    {
        _server = new ApiTestServer(handler);
        return TestClients.Client(_services, (connection ?? (url => TestClients.Connection(url)))(_server.BaseUrl));
    }

    [Fact]
    public async Task List_SendsAfterAndLimit_AndReadsThePage()
    {
        var client = Start(context => ApiTestServer.WriteJsonAsync(context,
            TestBatches.Page([TestBatches.Json("batch_2"), TestBatches.Json("batch_1")], hasMore: true)));

        var page = await client.ListBatchesAsync("batch_3", 2, Token);

        var request = Assert.Single(_server!.Requests);
        Assert.Equal(("GET", "/v1/batches", "?limit=2&after=batch_3"), (request.Method, request.Path, request.Query));
        Assert.Equal(["batch_2", "batch_1"], page.Batches.Select(b => b.Id));
        Assert.True(page.HasMore);
        Assert.Equal("batch_1", page.NextCursor);
    }

    [Fact]
    public async Task List_ClampsTheLimitToTheApisRange()
    {
        var client = Start(context => ApiTestServer.WriteJsonAsync(context, TestBatches.Page([], hasMore: false)));

        await client.ListBatchesAsync(null, 500, Token);
        await client.ListBatchesAsync(null, 0, Token);

        Assert.Equal(["?limit=100", "?limit=1"], _server!.Requests.Select(r => r.Query));
    }

    [Fact]
    public async Task List_SkipsAMalformedBatch_AndKeepsTheRestOfThePage()
    {
        var client = Start(context => ApiTestServer.WriteJsonAsync(context,
            """{"object":"list","data":[{"id":"batch_ok","status":"completed"},{"status":"completed"},"junk",{"id":"batch_ok2"}],"has_more":false}"""));

        var page = await client.ListBatchesAsync(null, 100, Token);

        Assert.Equal(["batch_ok", "batch_ok2"], page.Batches.Select(b => b.Id));
        Assert.Equal(2, page.Rejected.Count);
        Assert.False(page.HasMore);
    }

    [Fact]
    public async Task Requests_CarryABearerKey_AndOpenAIsOrganizationAndProjectHeaders()
    {
        var client = Start(context => ApiTestServer.WriteJsonAsync(context, TestBatches.Json("b")),
            url => TestClients.Connection(url, organization: "org-1", project: "proj-1"));

        await client.GetBatchAsync("b", Token);

        var headers = Assert.Single(_server!.Requests).Headers;
        Assert.Equal("Bearer sk-test-key", headers["authorization"]);
        Assert.Equal("org-1", headers["openai-organization"]);
        Assert.Equal("proj-1", headers["openai-project"]);
        Assert.False(headers.ContainsKey("api-key"));
    }

    [Fact]
    public async Task Azure_UsesTheApiKeyHeader_AndAddsTheApiVersionToEveryPath()
    {
        var client = Start(context => ApiTestServer.WriteJsonAsync(context, TestBatches.Page([], hasMore: false)),
            url => TestClients.Connection(new Uri(url, "/openai"), ConnectionKind.Azure, apiVersion: "2024-10-21"));

        await client.ListBatchesAsync("batch_x", 10, Token);

        var request = Assert.Single(_server!.Requests);
        Assert.Equal("/openai/batches", request.Path);
        Assert.Equal("?limit=10&after=batch_x&api-version=2024-10-21", request.Query);
        Assert.Equal("sk-test-key", request.Headers["api-key"]);
        Assert.False(request.Headers.ContainsKey("authorization"));
    }

    [Fact]
    public async Task Ids_AreUrlEncodedIntoPaths()
    {
        var client = Start(context => ApiTestServer.WriteJsonAsync(context, TestBatches.Json("b")));

        await client.GetBatchAsync("batch/../../files?x=1", Token);

        var request = Assert.Single(_server!.Requests);
        Assert.Equal("/v1/batches/batch%2F..%2F..%2Ffiles%3Fx%3D1", request.RawTarget);
        Assert.Equal("", request.Query);
    }

    [Fact]
    public async Task Retrieve_ReturnsNull_OnA404()
    {
        var client = Start(context => ApiTestServer.WriteJsonAsync(context,
            """{"error":{"message":"No batch found with id 'x'.","type":"invalid_request_error","param":null,"code":null}}""", 404));

        Assert.Null(await client.GetBatchAsync("x", Token));
        Assert.Null(await client.GetFileAsync("file-x", Token));
        Assert.Null(await client.OpenFileContentAsync("file-x", Token));
        Assert.Equal(3, _server!.Requests.Count);
    }

    [Fact]
    public async Task RejectedKey_IsUnauthorized_WithTheApisOwnError_AndIsNotRetried()
    {
        var client = Start(async context =>
        {
            context.Response.Headers["x-request-id"] = "req_abc";
            await ApiTestServer.WriteJsonAsync(context,
                """{"error":{"message":"Incorrect API key provided: sk-test***.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""", 401);
        });

        var error = await Assert.ThrowsAsync<BatchApiException>(() => client.ListBatchesAsync(null, 10, Token));

        Assert.Equal(ApiFailureKind.Unauthorized, error.Kind);
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("invalid_api_key", error.Code);
        Assert.Equal("invalid_request_error", error.ErrorType);
        Assert.Equal("req_abc", error.RequestId);
        Assert.StartsWith("Incorrect API key provided", error.Message, StringComparison.Ordinal);
        Assert.Single(_server!.Requests);
    }

    [Fact]
    public async Task RateLimited_IsRetried_AfterWhatRetryAfterMsAsks()
    {
        var calls = 0;
        var client = Start(async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.Headers["retry-after-ms"] = "20";
                await ApiTestServer.WriteJsonAsync(context, """{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}""", 429);
                return;
            }

            await ApiTestServer.WriteJsonAsync(context, TestBatches.Json("b"));
        });

        var batch = await client.GetBatchAsync("b", Token);

        Assert.Equal("b", batch!.Id);
        Assert.Equal(2, _server!.Requests.Count);
    }

    [Fact]
    public async Task ServerErrors_AreRetriedTwice_ThenReported()
    {
        var client = Start(context => ApiTestServer.WriteJsonAsync(context,
            """{"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}""", 500));

        var error = await Assert.ThrowsAsync<BatchApiException>(() => client.GetBatchAsync("b", Token));

        Assert.Equal(ApiFailureKind.HttpError, error.Kind);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("server_error", error.ErrorType);
        Assert.Equal(3, _server!.Requests.Count);
    }

    [Fact]
    public async Task ZeroRetries_MeansOneAttempt()
    {
        await using var services = TestClients.Services(new() { ["BatchDashboard:Api:MaxRetries"] = "0" });
        _server = new ApiTestServer(context => ApiTestServer.WriteJsonAsync(context, """{"error":{"message":"boom","type":"server_error"}}""", 500));
        var client = TestClients.Client(services, TestClients.Connection(_server.BaseUrl));

        await Assert.ThrowsAsync<BatchApiException>(() => client.GetBatchAsync("b", Token));

        Assert.Single(_server.Requests);
    }

    [Fact]
    public void BadRetrySettings_AreRejected_NamingTheirKeys()
    {
        using var services = TestClients.Services(new()
        {
            ["BatchDashboard:Api:MaxRetries"] = "50",
            ["BatchDashboard:Api:AttemptTimeout"] = "-00:00:01",
        });

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
                .GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiResilienceOptions>>(services).Value);

        Assert.Contains("BatchDashboard:Api:MaxRetries must be between 0 and 10.", error.Failures);
        Assert.Contains(error.Failures, f => f.StartsWith("BatchDashboard:Api:AttemptTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ShouldRetryFalse_StopsRetries()
    {
        var client = Start(async context =>
        {
            context.Response.Headers["x-should-retry"] = "false";
            await ApiTestServer.WriteJsonAsync(context, """{"error":{"message":"busy","type":"server_error"}}""", 503);
        });

        await Assert.ThrowsAsync<BatchApiException>(() => client.GetBatchAsync("b", Token));

        Assert.Single(_server!.Requests);
    }

    [Fact]
    public async Task Create_IsNeverRetried_EvenOnAServerError()
    {
        var client = Start(context => ApiTestServer.WriteJsonAsync(context, """{"error":{"message":"boom","type":"server_error"}}""", 500));

        await Assert.ThrowsAsync<BatchApiException>(() => client.CreateBatchAsync(
            new CreateBatchRequest { InputFileId = "file-1", Endpoint = "/v1/chat/completions" }, Token));

        Assert.Single(_server!.Requests);
    }

    [Fact]
    public async Task Create_SendsTheSpecsBody()
    {
        var client = Start(context => ApiTestServer.WriteJsonAsync(context, TestBatches.Json("batch_new", "validating")));

        var batch = await client.CreateBatchAsync(new CreateBatchRequest
        {
            InputFileId = "file-1",
            Endpoint = "/v1/embeddings",
            Metadata = new Dictionary<string, string> { ["team"] = "search" },
            OutputExpiresAfter = new OutputExpiry(3600),
        }, Token);

        var request = Assert.Single(_server!.Requests);
        Assert.Equal(("POST", "/v1/batches"), (request.Method, request.Path));
        Assert.Equal(
            """{"input_file_id":"file-1","endpoint":"/v1/embeddings","completion_window":"24h","metadata":{"team":"search"},"output_expires_after":{"seconds":3600,"anchor":"created_at"}}""",
            request.Body);
        Assert.Equal(BatchStatusKind.Validating, batch.Status.Kind);
    }

    [Fact]
    public async Task Cancel_PostsToTheCancelPath()
    {
        var client = Start(context => ApiTestServer.WriteJsonAsync(context, TestBatches.Json("b", "cancelling")));

        var batch = await client.CancelBatchAsync("b", Token);

        Assert.Equal(("POST", "/v1/batches/b/cancel"), (_server!.Requests[0].Method, _server.Requests[0].Path));
        Assert.Equal(BatchStatusKind.Cancelling, batch!.Status.Kind);
    }

    [Theory]
    [InlineData("{\"id\":\"b\",", "application/json")]
    [InlineData("<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")]
    public async Task MalformedSuccess_IsAMalformedResponse(string body, string contentType)
    {
        var client = Start(async context =>
        {
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body, context.RequestAborted);
        });

        var error = await Assert.ThrowsAsync<BatchApiException>(() => client.GetBatchAsync("b", Token));

        Assert.Equal(ApiFailureKind.MalformedResponse, error.Kind);
    }

    [Fact]
    public async Task HtmlErrorPage_IsReported_WithItsStatusAndAShortenedBody()
    {
        var client = Start(async context =>
        {
            context.Response.StatusCode = 502;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><body><h1>502 Bad Gateway</h1></body></html>", context.RequestAborted);
        });

        var error = await Assert.ThrowsAsync<BatchApiException>(() => client.GetBatchAsync("b", Token));

        Assert.Equal(HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Contains("502 Bad Gateway", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, _server!.Requests.Count);
    }

    [Fact]
    public async Task DroppedConnection_IsRetried_AndThenSucceeds()
    {
        var calls = 0;
        var client = Start(async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                // Promise a long body, send half, then drop the connection.
                context.Response.ContentLength = 10_000;
                await context.Response.WriteAsync("{\"object\":\"list\",\"data\":[", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                context.Abort();
                return;
            }

            await ApiTestServer.WriteJsonAsync(context, TestBatches.Page([TestBatches.Json("b")], hasMore: false));
        });

        var page = await client.ListBatchesAsync(null, 10, Token);

        Assert.Single(page.Batches);
        Assert.Equal(2, _server!.Requests.Count);
    }

    [Fact]
    public async Task AHangingRead_TimesOutPerAttempt_AndIsRetried()
    {
        await using var services = TestClients.Services(new() { ["BatchDashboard:Api:AttemptTimeout"] = "00:00:00.200" });
        var calls = 0;
        _server = new ApiTestServer(async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                // Never answers in time; the client gives up on this attempt, not on the call.
                await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            await ApiTestServer.WriteJsonAsync(context, TestBatches.Json("b"));
        });
        var client = TestClients.Client(services, TestClients.Connection(_server.BaseUrl));

        var batch = await client.GetBatchAsync("b", Token);

        Assert.Equal("b", batch!.Id);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task Upload_OutlastsTheAttemptTimeout()
    {
        await using var services = TestClients.Services(new() { ["BatchDashboard:Api:AttemptTimeout"] = "00:00:00.100" });
        _server = new ApiTestServer(async context =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), context.RequestAborted); // a slow link
            await ApiTestServer.WriteJsonAsync(context, """{"object":"file","id":"file-big","purpose":"batch","filename":"big.jsonl","bytes":1}""");
        });
        var client = TestClients.Client(services, TestClients.Connection(_server.BaseUrl));
        using var content = new MemoryStream("{}\n"u8.ToArray());

        var file = await client.UploadBatchFileAsync(content, "big.jsonl", Token);

        Assert.Equal("file-big", file.Id);
    }

    [Fact]
    public async Task UnreachableServer_IsANetworkFailure()
    {
        var client = TestClients.Client(_services, TestClients.Connection(new Uri("http://127.0.0.1:1/v1")));

        var error = await Assert.ThrowsAsync<BatchApiException>(() => client.GetBatchAsync("b", Token));

        Assert.Equal(ApiFailureKind.Network, error.Kind);
        Assert.DoesNotContain("sk-test-key", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileContent_IsStreamed()
    {
        var client = Start(async context =>
        {
            context.Response.ContentType = "application/octet-stream";
            await context.Response.WriteAsync("{\"custom_id\":\"a\"}\n{\"custom_id\":\"b\"}\n", context.RequestAborted);
        });

        await using var stream = await client.OpenFileContentAsync("file-out", Token);
        using var reader = new StreamReader(stream!);

        Assert.Equal("{\"custom_id\":\"a\"}", await reader.ReadLineAsync(Token));
        Assert.Equal("/v1/files/file-out/content", _server!.Requests[0].Path);
    }

    [Fact]
    public async Task FileContent_IsReadable_BeforeTheDownloadEnds()
    {
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = Start(async context =>
        {
            context.Response.ContentType = "application/octet-stream";
            await context.Response.WriteAsync("{\"custom_id\":\"first\"}\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await rest.Task.WaitAsync(context.RequestAborted); // the rest of the file only once the first line was read
            await context.Response.WriteAsync("{\"custom_id\":\"last\"}\n", context.RequestAborted);
        });

        await using var stream = await client.OpenFileContentAsync("file-big", Token);
        using var reader = new StreamReader(stream!);

        Assert.Equal("{\"custom_id\":\"first\"}", await reader.ReadLineAsync(Token));
        rest.SetResult();
        Assert.Equal("{\"custom_id\":\"last\"}", await reader.ReadLineAsync(Token));
        Assert.Null(await reader.ReadLineAsync(Token));
    }

    [Fact]
    public async Task Ids_WithSpaces_AreEncodedAsPercent20()
    {
        var client = Start(context => ApiTestServer.WriteJsonAsync(context, TestBatches.Json("b")));

        await client.CancelBatchAsync("batch with spaces", Token);

        Assert.Equal("/v1/batches/batch%20with%20spaces/cancel", Assert.Single(_server!.Requests).RawTarget);
    }

    [Fact]
    public async Task CreateAndUpload_SendAContentLength_NotChunked()
    {
        var client = Start(context => context.Request.Path.StartsWithSegments("/v1/files")
            ? ApiTestServer.WriteJsonAsync(context, """{"object":"file","id":"file-up","purpose":"batch","filename":"a.jsonl","bytes":18,"created_at":1761896207,"status":"processed"}""")
            : ApiTestServer.WriteJsonAsync(context, TestBatches.Json("batch_new", "validating")));

        using var content = new MemoryStream("{\"custom_id\":\"a\"}\n"u8.ToArray());
        await client.UploadBatchFileAsync(content, "a.jsonl", Token);
        await client.CreateBatchAsync(new CreateBatchRequest { InputFileId = "file-up", Endpoint = "/v1/embeddings" }, Token);

        Assert.All(_server!.Requests, request =>
        {
            Assert.True(request.Headers.ContainsKey("content-length"), $"{request.Method} {request.Path} had no Content-Length");
            Assert.False(request.Headers.ContainsKey("transfer-encoding"), $"{request.Method} {request.Path} was sent chunked");
        });
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task Upload_SendsAMultipartFormWithPurposeBatch()
    {
        var client = Start(async context =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var file = form.Files["file"]!;
            await ApiTestServer.WriteJsonAsync(context,
                $$"""{"object":"file","id":"file-up","purpose":"{{form["purpose"]}}","filename":"{{file.FileName}}","bytes":{{file.Length}},"created_at":1761896207,"expires_at":1764488207,"status":"processed"}""");
        });

        using var content = new MemoryStream("{\"custom_id\":\"a\"}\n"u8.ToArray());
        var file = await client.UploadBatchFileAsync(content, "input.jsonl", Token);

        Assert.Equal(("file-up", "batch", "input.jsonl", 18L), (file.Id, file.Purpose, file.FileName, file.Bytes!.Value));
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await _services.DisposeAsync();
    }
}
