using System.Text;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Results;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Emulator;
using BatchDashboard.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Core.Tests.Results;

/// <summary>Batches run by the emulator, their files indexed through the real client into the real cache.</summary>
public class ResultIndexingTests : IAsyncLifetime
{
    /// <summary>The SQLite cache; the PostgreSQL subclass runs every test again on PostgreSQL.</summary>
    protected virtual Task<CoreHarness> StartHarnessAsync() => CoreHarness.StartAsync();

    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private CoreHarness _harness = default!;
    private EmulatorServer _emulator = default!;
    private IBatchApiClient _client = default!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private IResultIndexing Indexing => _harness.Services.GetRequiredService<IResultIndexing>();

    private IResultQueries Results => _harness.Services.GetRequiredService<IResultQueries>();

    public async ValueTask InitializeAsync()
    {
        _harness = await StartHarnessAsync();
        _emulator = await EmulatorServer.StartAsync(new EmulatorOptions { Port = 0, ApiKey = "sk-test-key", FailureRate = 0.2, RequestsPerSecond = 50 }, _clock, Token);
        await UseAsync(_emulator);
    }

    private Task UseAsync(EmulatorServer emulator)
    {
        var connection = TestClients.Connection(emulator.BaseUrl);
        var catalog = _harness.Services.GetRequiredService<ConnectionCatalog>();
        if (catalog.Find(connection.Id) is null)
        {
            catalog.Add(connection);
        }

        _client = TestClients.Client(_harness.Services, catalog.Find(connection.Id)!);
        return Task.CompletedTask;
    }

    private static string Input(int requests, string prefix = "r") => string.Concat(Enumerable.Range(1, requests).Select(i =>
        """{"custom_id":"ID","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say N"}]}}"""
            .Replace("ID", $"{prefix}-{i}", StringComparison.Ordinal).Replace("Say N", $"Say {i}", StringComparison.Ordinal) + "\n"));

    private async Task<Batch> StartAsync(int requests)
    {
        await using var content = new MemoryStream(Encoding.UTF8.GetBytes(Input(requests)));
        var file = await _client.UploadBatchFileAsync(content, "requests.jsonl", Token);
        return await _client.CreateBatchAsync(new CreateBatchRequest { InputFileId = file.Id, Endpoint = "/v1/chat/completions" }, Token);
    }

    /// <summary>What the sync would do: the batch as the API has it now, into the cache.</summary>
    private async Task<Batch> SyncAsync(string batchId)
    {
        var batch = (await _client.GetBatchAsync(batchId, Token))!;
        await _harness.Store.UpsertAsync("test", [batch], Token);
        return batch;
    }

    [Fact]
    public async Task ACompletedBatch_JoinsEveryRequestToItsResult_AndAgreesWithTheBatchsCounts()
    {
        var created = await StartAsync(200);
        _clock.Advance(TimeSpan.FromMinutes(10));
        var batch = await SyncAsync(created.Id);
        Assert.Equal(BatchStatusKind.Completed, batch.Status.Kind);

        var files = await Indexing.IndexAsync("test", batch.Id, Token);
        var summary = await Results.SummarizeAsync("test", batch.Id, Token);

        Assert.Equal([ResultFileKind.Input, ResultFileKind.Output, ResultFileKind.Error], files.Select(f => f.Kind));
        Assert.All(files, f => Assert.Equal((ResultFileState.Indexed, true, 0), (f.State, f.HasLocalCopy, f.MalformedLines)));
        Assert.Equal(200, files[0].Lines);
        Assert.Equal(200, summary.Total);
        Assert.Equal(batch.RequestCounts!.Completed, summary.Outcomes.GetValueOrDefault(RequestOutcome.Succeeded));
        Assert.Equal(batch.RequestCounts.Failed, summary.Outcomes.GetValueOrDefault(RequestOutcome.HttpError) + summary.Outcomes.GetValueOrDefault(RequestOutcome.OtherError));
        Assert.False(summary.Outcomes.ContainsKey(RequestOutcome.NoResult));
        Assert.Equal(batch.Usage!.InputTokens, summary.Tokens.Input);
        Assert.Equal(batch.Usage.OutputTokens, summary.Tokens.Output);
        Assert.Equal(batch.Usage.CachedTokens, summary.Tokens.Cached);
        Assert.Equal("gpt-4o-mini", summary.Model);
        Assert.Equal(batch.RequestCounts.Failed, summary.Errors.Sum(e => e.Count));
        Assert.All(summary.Errors, e => Assert.StartsWith("r-", e.ExampleCustomId, StringComparison.Ordinal));

        // In input order, whatever the order of the result files.
        var page = await Results.ListAsync("test", batch.Id, new ResultFilter(), null, 50, Token);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => $"r-{i}"), page.Items.Select(r => r.CustomId));
        var rest = await Results.ListAsync("test", batch.Id, new ResultFilter(), page.NextCursor, 500, Token);
        Assert.Equal(150, rest.Items.Count);
        Assert.Null(rest.NextCursor);
    }

    [Fact]
    public async Task OneRequest_ShowsItsInputLineBesideItsResultLine()
    {
        var created = await StartAsync(50);
        _clock.Advance(TimeSpan.FromMinutes(10));
        var batch = await SyncAsync(created.Id);
        await Indexing.IndexAsync("test", batch.Id, Token);
        var failed = (await Results.ListAsync("test", batch.Id, new ResultFilter { Outcomes = [RequestOutcome.HttpError, RequestOutcome.OtherError] }, null, 1, Token)).Items.Single();

        var detail = (await Results.GetAsync("test", batch.Id, failed.CustomId, Token))!;
        var succeeded = (await Results.ListAsync("test", batch.Id, new ResultFilter { Outcomes = [RequestOutcome.Succeeded] }, null, 1, Token)).Items.Single();
        var ok = (await Results.GetAsync("test", batch.Id, succeeded.CustomId, Token))!;

        Assert.Contains($"\"custom_id\":\"{failed.CustomId}\"", detail.InputLine, StringComparison.Ordinal);
        Assert.Contains($"\"custom_id\":\"{failed.CustomId}\"", detail.ResultLine, StringComparison.Ordinal);
        Assert.Equal(ResultFileKind.Error, detail.Row.ResultKind);
        Assert.NotNull(detail.Row.ErrorCode);
        Assert.Contains("\"status_code\":200", ok.ResultLine, StringComparison.Ordinal);
        Assert.Equal(ResultFileKind.Output, ok.Row.ResultKind);
        Assert.Null(await Results.GetAsync("test", batch.Id, "no-such-request", Token));
    }

    [Fact]
    public async Task Filters_ByOutcomeErrorCodeAndPartOfTheCustomId()
    {
        var created = await StartAsync(120);
        _clock.Advance(TimeSpan.FromMinutes(10));
        var batch = await SyncAsync(created.Id);
        await Indexing.IndexAsync("test", batch.Id, Token);
        var summary = await Results.SummarizeAsync("test", batch.Id, Token);
        var code = summary.Errors[0];

        var byCode = await Results.ListAsync("test", batch.Id, new ResultFilter { ErrorCode = code.Code }, null, 500, Token);
        var byText = await Results.ListAsync("test", batch.Id, new ResultFilter { CustomId = "r-11" }, null, 500, Token);

        Assert.Equal(code.Count, byCode.Items.Count);
        Assert.All(byCode.Items, r => Assert.Equal(code.Code, r.ErrorCode));
        Assert.Equal(["r-11", "r-110", "r-111", "r-112", "r-113", "r-114", "r-115", "r-116", "r-117", "r-118", "r-119"], byText.Items.Select(r => r.CustomId));
    }

    [Fact]
    public async Task ACancelledBatch_NamesItsUnrunRequestsCancelled()
    {
        var created = await StartAsync(2000);
        _clock.Advance(TimeSpan.FromSeconds(15)); // validated, then 10 s at 50 a second
        await _client.CancelBatchAsync(created.Id, Token);
        _clock.Advance(TimeSpan.FromMinutes(5));
        var batch = await SyncAsync(created.Id);
        Assert.Equal(BatchStatusKind.Cancelled, batch.Status.Kind);

        await Indexing.IndexAsync("test", batch.Id, Token);
        var summary = await Results.SummarizeAsync("test", batch.Id, Token);

        Assert.Equal(2000, summary.Total);
        Assert.True(summary.Outcomes.GetValueOrDefault(RequestOutcome.Cancelled) > 1000, string.Join(", ", summary.Outcomes));
        Assert.Equal(batch.RequestCounts!.Completed, summary.Outcomes.GetValueOrDefault(RequestOutcome.Succeeded));
    }

    [Fact]
    public async Task AnExpiredBatch_NamesTheRequestsTheWindowCutOffExpired()
    {
        await using var slow = await EmulatorServer.StartAsync(new EmulatorOptions { Port = 0, ApiKey = "sk-test-key", RequestsPerSecond = 0.001, FailureRate = 0 }, _clock, Token);
        var catalog = _harness.Services.GetRequiredService<ConnectionCatalog>();
        var test = TestClients.Connection(slow.BaseUrl);
        var connection = new ApiConnection { Id = "slow", Name = "Slow", Kind = test.Kind, BaseUrl = test.BaseUrl, ApiKey = test.ApiKey };
        catalog.Add(connection);
        _client = TestClients.Client(_harness.Services, connection);
        var created = await StartAsync(300);
        _clock.Advance(TimeSpan.FromHours(25));
        var batch = (await _client.GetBatchAsync(created.Id, Token))!;
        await _harness.Store.UpsertAsync("slow", [batch], Token);
        Assert.Equal(BatchStatusKind.Expired, batch.Status.Kind);

        await Indexing.IndexAsync("slow", batch.Id, Token);
        var summary = await Results.SummarizeAsync("slow", batch.Id, Token);

        Assert.Equal(300, summary.Total);
        Assert.True(summary.Outcomes.GetValueOrDefault(RequestOutcome.Expired) > 200, string.Join(", ", summary.Outcomes));
        Assert.Equal("batch_expired", summary.Errors[0].Code);
    }

    [Fact]
    public async Task AFileGoneUpstreamBeforeIndexing_IsMarkedExpired_TheRestIsIndexed()
    {
        var created = await StartAsync(30);
        _clock.Advance(TimeSpan.FromMinutes(10));
        var batch = await SyncAsync(created.Id);
        await DeleteUpstreamAsync(batch.OutputFileId!);

        var files = await Indexing.IndexAsync("test", batch.Id, Token);
        var summary = await Results.SummarizeAsync("test", batch.Id, Token);

        var output = files.Single(f => f.Kind == ResultFileKind.Output);
        Assert.Equal((ResultFileState.ExpiredUpstream, true, false), (output.State, output.ExpiredUpstream, output.HasLocalCopy));
        Assert.Contains("no longer has this file", output.Error, StringComparison.Ordinal);
        Assert.Equal(ResultFileState.Indexed, files.Single(f => f.Kind == ResultFileKind.Input).State);
        Assert.Equal(30, summary.Total);
        Assert.True(summary.Outcomes.GetValueOrDefault(RequestOutcome.NoResult) > 0);
    }

    [Fact]
    public async Task AFileIndexedBeforeItExpired_StaysBrowsable_FromItsLocalCopy()
    {
        var created = await StartAsync(30);
        _clock.Advance(TimeSpan.FromMinutes(10));
        var batch = await SyncAsync(created.Id);
        await Indexing.IndexAsync("test", batch.Id, Token);
        var first = (await Results.ListAsync("test", batch.Id, new ResultFilter { Outcomes = [RequestOutcome.Succeeded] }, null, 1, Token)).Items.Single();
        await DeleteUpstreamAsync(batch.OutputFileId!);
        await DeleteUpstreamAsync(batch.InputFileId!);

        var again = await Indexing.IndexAsync("test", batch.Id, Token);
        var detail = await Results.GetAsync("test", batch.Id, first.CustomId, Token);
        await using var copy = await Results.OpenLocalCopyAsync("test", batch.Id, ResultFileKind.Output, Token);

        Assert.All(again, f => Assert.Equal(ResultFileState.Indexed, f.State));
        Assert.Contains("\"status_code\":200", detail!.ResultLine, StringComparison.Ordinal);
        Assert.NotNull(copy);
    }

    private async Task DeleteUpstreamAsync(string fileId)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri(_emulator.BaseUrl + "/files/" + fileId));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sk-test-key");
        using var response = await http.SendAsync(request, Token);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        await _emulator.DisposeAsync();
        await _harness.DisposeAsync();
    }
}

/// <summary>Every results-index test again, on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ResultIndexingOnPostgresTests(PostgresServer postgres) : ResultIndexingTests
{
    protected override Task<CoreHarness> StartHarnessAsync() => CoreHarness.StartAsync(postgres);
}
