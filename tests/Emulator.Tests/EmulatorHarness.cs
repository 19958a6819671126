using System.ClientModel;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BatchDashboard.Tests.Shared;
using OpenAI;
using OpenAI.Batch;
using OpenAI.Files;

namespace BatchDashboard.Emulator.Tests;

/// <summary>
/// An emulator on a loopback port with a clock the test moves, and two independent clients of it: the official
/// OpenAI SDK and a plain <see cref="HttpClient"/> for what the SDK hides (status codes, headers, raw bodies).
/// </summary>
public sealed class EmulatorHarness : IAsyncDisposable
{
    private EmulatorHarness(EmulatorServer server, ManualClock clock)
    {
        Server = server;
        Clock = clock;
        var sdk = new OpenAIClient(new ApiKeyCredential(server.ApiKey), new OpenAIClientOptions { Endpoint = server.BaseUrl });
        Batches = sdk.GetBatchClient();
        Files = sdk.GetOpenAIFileClient();
        Http = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/") };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.ApiKey);
    }

    public EmulatorServer Server { get; }
    public ManualClock Clock { get; }
    public BatchClient Batches { get; }
    public OpenAIFileClient Files { get; }

    /// <summary>Relative paths resolve under <c>/v1/</c>: <c>Http.GetAsync("batches")</c>.</summary>
    public HttpClient Http { get; }

    /// <summary>Starts an emulator whose batches validate in 10 s, run 10 requests/s and finalize in 10 s.</summary>
    /// <param name="start">Where the clock starts (a fixed day when null).</param>
    public static async Task<EmulatorHarness> StartAsync(Action<EmulatorOptions>? configure = null, DateTimeOffset? start = null)
    {
        var options = new EmulatorOptions
        {
            Port = 0,
            ApiKey = "sk-emulator-test-key",
            ValidationTime = TimeSpan.FromSeconds(10),
            RequestsPerSecond = 10,
            FinalizingTime = TimeSpan.FromSeconds(10),
            CancellingTime = TimeSpan.FromSeconds(30),
            ExpiringTime = TimeSpan.FromMinutes(10),
            FailureRate = 0,
        };
        configure?.Invoke(options);
        var clock = start is { } at ? new ManualClock(at) : new ManualClock();
        return new EmulatorHarness(await EmulatorServer.StartAsync(options, clock), clock);
    }

    public static string ChatLine(string customId, string model = "gpt-4o-mini", string url = "/v1/chat/completions") =>
        $$$"""{"custom_id": "{{{customId}}}", "method": "POST", "url": "{{{url}}}", "body": {"model": "{{{model}}}", "messages": [{"role": "user", "content": "Say hello to {{{customId}}}."}], "max_tokens": 50}}""";

    public static string ChatFile(int requests, string prefix = "request") =>
        string.Join("\n", Enumerable.Range(1, requests).Select(i => ChatLine($"{prefix}-{i}"))) + "\n";

    /// <summary>Uploads through the SDK, as a user's pipeline would.</summary>
    public async Task<OpenAIFile> UploadAsync(string jsonl, string filename = "requests.jsonl") =>
        (await Files.UploadFileAsync(BinaryData.FromString(jsonl), filename, FileUploadPurpose.Batch)).Value;

    /// <summary>Creates a batch through the SDK's protocol method and returns the raw Batch object it answered.</summary>
    public async Task<(CreateBatchOperation Operation, JsonElement Batch)> CreateAsync(string inputFileId, string endpoint = "/v1/chat/completions", object? metadata = null, object? outputExpiresAfter = null)
    {
        var body = new Dictionary<string, object?> { ["input_file_id"] = inputFileId, ["endpoint"] = endpoint, ["completion_window"] = "24h" };
        if (metadata is not null)
        {
            body["metadata"] = metadata;
        }

        if (outputExpiresAfter is not null)
        {
            body["output_expires_after"] = outputExpiresAfter;
        }

        var operation = await Batches.CreateBatchAsync(BinaryContent.Create(BinaryData.FromObjectAsJson(body)), waitUntilCompleted: false);
        return (operation, Json(operation.GetRawResponse().Content));
    }

    public async Task<JsonElement> GetBatchAsync(string id) => Json((await Batches.GetBatchAsync(id, options: null)).GetRawResponse().Content);

    /// <summary>Uploads a file and creates a chat batch of <paramref name="requests"/> requests from it.</summary>
    public async Task<JsonElement> StartBatchAsync(int requests, object? metadata = null)
    {
        var file = await UploadAsync(ChatFile(requests));
        return (await CreateAsync(file.Id, metadata: metadata)).Batch;
    }

    public async Task<string> DownloadAsync(string fileId) => (await Files.DownloadFileAsync(fileId, TestContext.Current.CancellationToken)).Value.ToString();

    public static IReadOnlyList<JsonElement> Lines(string jsonl) =>
        [.. jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    public static JsonElement Json(BinaryData data) => JsonDocument.Parse(data).RootElement.Clone();

    public static async Task<(int Status, JsonElement Body)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> GetAsync(string path) => Http.GetAsync(path, TestContext.Current.CancellationToken);

    public Task<HttpResponseMessage> PostAsync(string path, HttpContent? content) => Http.PostAsync(path, content, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
