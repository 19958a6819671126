using System.Text;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Results;
using BatchDashboard.Core.Submissions;
using BatchDashboard.Core.Sync;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Emulator;
using BatchDashboard.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Core.Tests.Submissions;

/// <summary>New batches from a checked file, and retries of what failed, against the emulator.</summary>
public sealed class SubmissionTests : IAsyncLifetime
{
    private const string Url = "/v1/chat/completions";
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private CoreHarness _harness = default!;
    private EmulatorServer _emulator = default!;
    private IBatchApiClient _client = default!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private IBatchSubmissions Submissions => _harness.Services.GetRequiredService<IBatchSubmissions>();
    private IBatchOperations Operations => _harness.Services.GetRequiredService<IBatchOperations>();

    public async ValueTask InitializeAsync()
    {
        _harness = await CoreHarness.StartAsync();
        _emulator = await EmulatorServer.StartAsync(new EmulatorOptions { Port = 0, ApiKey = "sk-test-key", FailureRate = 0.25, RequestsPerSecond = 50 }, _clock, Token);
        var connection = TestClients.Connection(_emulator.BaseUrl);
        _harness.Services.GetRequiredService<ConnectionCatalog>().Add(connection);
        _client = TestClients.Client(_harness.Services, connection);
    }

    private static string Line(string id, string url = Url, string model = "gpt-4o-mini") => BadInputFiles.Line(id, model, url);

    private static Stream Stream(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    public static TheoryData<string, string, string, string?, int?> BadFiles => BadInputFiles.Theory();

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task EveryBadFile_IsRefusedBeforeSending_AsTheApiWouldRefuseIt(string why, string content, string code, string? param, int? line)
    {
        var validation = await BatchInputValidator.ValidateAsync(Stream(content), Url, Token);

        var problem = Assert.Single(validation.Problems);
        Assert.Equal((code, param, line), (problem.Code, problem.Param, problem.Line));

        // The emulator, which validates as OpenAI does, finds the same problem on the same line.
        var file = await _client.UploadBatchFileAsync(Stream(content), "bad.jsonl", Token);
        var created = await _client.CreateBatchAsync(new CreateBatchRequest { InputFileId = file.Id, Endpoint = Url }, Token);
        _clock.Advance(TimeSpan.FromSeconds(10));
        var failed = (await _client.GetBatchAsync(created.Id, Token))!;
        Assert.True(failed.Status.Kind == BatchStatusKind.Failed, why);
        var error = Assert.Single(failed.Errors);
        Assert.Equal((code, param, line), (error.Code, error.Param, error.Line));
    }

    [Fact]
    public async Task EveryProblem_IsListedWithItsLine_AndAGoodFileIsDescribed()
    {
        var bad = await BatchInputValidator.ValidateAsync(Stream(string.Join("\n", Line("a"), "oops", Line("a"), Line("d", url: "/v1/responses"), Line("e")) + "\n"), null, Token);
        var good = await BatchInputValidator.ValidateAsync(Stream(Line("a") + "\r\n" + Line("b") + "\n\n"), null, Token);

        Assert.Equal([(2, "invalid_json_line"), (3, "duplicate_custom_id"), (4, "url_mismatch")], bad.Problems.Select(p => (p.Line!.Value, p.Code)));
        Assert.True(good.IsValid);
        Assert.Equal((2, Url, "gpt-4o-mini"), (good.Requests, good.Endpoint, good.Model));
    }

    [Fact]
    public async Task OverTheRequestLimit_IsRefused()
    {
        var content = string.Concat(Enumerable.Range(1, BatchInputValidator.MaxRequests + 1).Select(i => Line($"r{i}") + "\n"));

        var validation = await BatchInputValidator.ValidateAsync(Stream(content), Url, Token);

        Assert.Equal("too_many_tasks", Assert.Single(validation.Problems).Code);
        Assert.Equal(BatchInputValidator.MaxRequests + 1, validation.Requests);
    }

    [Fact]
    public async Task OverTwoHundredMegabytes_IsRefused_ReadAsAStream()
    {
        // 2,050 requests of 100 KB each, made as they are read: no test should hold 200 MB.
        var padding = new string('x', 100 * 1024);
        var lines = Enumerable.Range(1, 2050).Select(i => Encoding.UTF8.GetBytes(Line($"r{i}").Replace("Say hello.", padding, StringComparison.Ordinal) + "\n"));

        var validation = await BatchInputValidator.ValidateAsync(new GeneratedStream(lines), Url, Token);

        Assert.Equal("file_too_large", Assert.Single(validation.Problems).Code);
        Assert.True(validation.Bytes > BatchInputValidator.MaxBytes);
    }

    /// <summary>A read-only stream of the given chunks, made one by one as the reader asks.</summary>
    private sealed class GeneratedStream(IEnumerable<byte[]> chunks) : Stream
    {
        private readonly IEnumerator<byte[]> _chunks = chunks.GetEnumerator();
        private byte[] _current = [];
        private int _offset;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            while (_offset == _current.Length)
            {
                if (!_chunks.MoveNext())
                {
                    return 0;
                }

                (_current, _offset) = (_chunks.Current, 0);
            }

            var read = Math.Min(count, _current.Length - _offset);
            Array.Copy(_current, _offset, buffer, offset, read);
            _offset += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            _chunks.Dispose();
            base.Dispose(disposing);
        }
    }

    [Fact]
    public void Settings_TheApiWouldRefuse_AreNamed()
    {
        var tooMany = Enumerable.Range(1, 17).ToDictionary(i => $"k{i}", i => "v");
        var problems = new BatchSubmission("/v1/unknown", new Dictionary<string, string>(tooMany) { [new string('k', 65)] = new string('v', 513) }, TimeSpan.FromMinutes(5)).Validate();

        Assert.Equal(["endpoint", "metadata", "metadata", "metadata", "output_expires_after"], problems.Select(p => p.Param));
        Assert.Empty(new BatchSubmission(Url, new Dictionary<string, string> { ["team"] = "search" }, TimeSpan.FromDays(7)).Validate());
    }

    [Fact]
    public async Task Create_UploadsTheFileWithProgress_CreatesTheBatch_AndCachesIt()
    {
        var content = string.Concat(Enumerable.Range(1, 40).Select(i => Line($"r-{i}") + "\n"));
        var uploaded = new List<long>();

        var batch = await Submissions.CreateAsync("test", Stream(content), "requests.jsonl",
            new BatchSubmission(Url, new Dictionary<string, string> { ["team"] = "search" }, TimeSpan.FromDays(2)), new Progress(uploaded), Token);

        Assert.Equal(BatchStatusKind.Validating, batch.Status.Kind);
        Assert.Equal("search", batch.Metadata["team"]);
        Assert.Equal(Encoding.UTF8.GetByteCount(content), uploaded.Max());
        var cached = await _harness.Queries.GetAsync(batch.Id, "test", Token);
        Assert.Equal(batch.Id, cached!.Batch.Id);
        // The expiry is a create-only parameter: it shows on the output file.
        _clock.Advance(TimeSpan.FromMinutes(5));
        var done = (await Operations.RefreshAsync("test", batch.Id, Token))!;
        var output = (await _client.GetFileAsync(done.OutputFileId!, Token))!;
        Assert.Equal(TimeSpan.FromDays(2), output.ExpiresAt - output.CreatedAt);
    }

    [Fact]
    public async Task AFileCountedBeforeSending_KeepsItsCount_SoItIsNeverFetchedBackToCountIt()
    {
        var content = string.Concat(Enumerable.Range(1, 30).Select(i => Line($"r-{i}") + "\n"));
        var count = await BatchDashboard.Core.Capacity.InputTokenCount.CountAsync(Stream(content), Token);

        var batch = await Submissions.CreateAsync("test", Stream(content), "requests.jsonl", new BatchSubmission(Url, PromptTokens: count), null, Token);

        var counting = _harness.Services.GetRequiredService<BatchDashboard.Core.Capacity.IInputTokenCounting>();
        Assert.Equal(0, await counting.CountPendingAsync(Token));
        Assert.Equal(count, await counting.CountBatchAsync("test", batch.Id, Token));
        var queue = Assert.Single((await _harness.Services.GetRequiredService<BatchDashboard.Core.Capacity.ICapacityQueries>().GetAsync(Token)).Queues);
        Assert.Equal(count.Tokens, queue.QueuedTokens);
    }

    [Fact]
    public async Task Retry_SubmitsTheFailedRequests_SameIdsAndBodies_LinkedToTheirParent()
    {
        var content = string.Concat(Enumerable.Range(1, 200).Select(i => Line($"r-{i}") + "\n"));
        var parent = await Submissions.CreateAsync("test", Stream(content), "requests.jsonl", new BatchSubmission(Url, new Dictionary<string, string> { ["team"] = "search" }), null, Token);
        _clock.Advance(TimeSpan.FromMinutes(10));
        await Operations.RefreshAsync("test", parent.Id, Token);
        var files = await _harness.Services.GetRequiredService<IResultIndexing>().IndexAsync("test", parent.Id, Token);

        // The errors by code, as the results page lists them; the retry takes one code, the most common.
        var results = _harness.Services.GetRequiredService<IResultQueries>();
        var byCode = new Dictionary<string, List<string>>();
        await foreach (var request in results.DetailsAsync("test", parent.Id, new ResultFilter { Outcomes = [RequestOutcome.HttpError, RequestOutcome.OtherError] }, Token))
        {
            byCode.TryAdd(request.Row.ErrorCode!, []);
            byCode[request.Row.ErrorCode!].Add(request.InputLine!);
        }

        var (code, expected) = byCode.MaxBy(c => c.Value.Count);
        var retry = await _harness.Services.GetRequiredService<IBatchRetries>().RetryAsync("test", parent.Id, new RetryChoice([code]), Token);

        Assert.True(expected.Count > 5, $"{expected.Count} failed with {code} of 200");
        Assert.Equal((expected.Count, 0), (retry.Requests, retry.Skipped));
        Assert.Equal(parent.Id, retry.Batch.Metadata[IBatchRetries.RetryOfKey]);
        Assert.Equal("search", retry.Batch.Metadata["team"]);
        Assert.Equal(Url, retry.Batch.Endpoint);
        await using var submitted = (await _client.OpenFileContentAsync(retry.Batch.InputFileId!, Token))!;
        var lines = (await new StreamReader(submitted).ReadToEndAsync(Token)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected, lines);
        Assert.NotNull(await _harness.Queries.GetAsync(retry.Batch.Id, "test", Token));
        Assert.Equal(3, files.Count); // input, output and error files
    }

    [Fact]
    public async Task Retry_OfARunningBatch_OrOfSuccesses_IsRefused()
    {
        var parent = await Submissions.CreateAsync("test", Stream(Line("a") + "\n"), "requests.jsonl", new BatchSubmission(Url), null, Token);
        var retries = _harness.Services.GetRequiredService<IBatchRetries>();

        var running = await Assert.ThrowsAsync<RetryRefusedException>(() => retries.RetryAsync("test", parent.Id, new RetryChoice(["rate_limit_exceeded"]), Token));
        var nothing = await Assert.ThrowsAsync<RetryRefusedException>(() => retries.RetryAsync("test", parent.Id, new RetryChoice([]), Token));

        // Said for a person: no parameter names, no exception's words.
        Assert.Equal("The batch is still running; retry it once it has ended.", running.Message);
        Assert.Equal("Choose what to retry: the errors, expired or cancelled requests, or those without a result.", nothing.Message);
    }

    [Theory]
    [InlineData("rate_limit_exceeded", true)]
    [InlineData("server_error", true)]
    [InlineData("batch_expired", true)]
    [InlineData("batch_cancelled", true)]
    [InlineData("request_timeout", true)]
    [InlineData("http_429", true)]
    [InlineData("http_503", true)]
    [InlineData("invalid_value", false)]
    [InlineData("context_length_exceeded", false)]
    [InlineData("http_400", false)]
    [InlineData("http_404", false)]
    [InlineData("something_new", false)]
    public void RetryAdvice_TicksWhatASecondAttemptMayGetPast_NotWhatTheRequestItselfCaused(string code, bool likely)
    {
        Assert.Equal(likely, RetryAdvice.LikelyToSucceed(code));
    }

    private sealed class Progress(List<long> seen) : IProgress<long>
    {
        public void Report(long value) => seen.Add(value);
    }

    public async ValueTask DisposeAsync()
    {
        await _emulator.DisposeAsync();
        await _harness.DisposeAsync();
    }
}
