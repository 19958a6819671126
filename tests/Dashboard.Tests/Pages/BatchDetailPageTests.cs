using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Dashboard.Tests.Pages;

/// <summary>The detail page and <c>GET /api/batches/{id}</c>, served by the real app from a cache a real sync filled.</summary>
public sealed class BatchDetailPageTests : IAsyncDisposable
{
    private const long C = TestBatches.Created;
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(C).AddMinutes(30);

    private readonly ManualClock _clock = new(Now);
    private readonly DashboardAppFactory _app;
    private readonly FakeBatchApi _api;

    public BatchDetailPageTests()
    {
        _app = new DashboardAppFactory().WithClock(_clock);
        _api = _app.WithFakeUpstream();
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<(HttpStatusCode Status, string Html)> GetAsync(string path)
    {
        using var client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);
        using var response = await client.GetAsync(path, Token);
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Token)));
    }

    [Fact]
    public async Task CompletedBatch_ShowsItsHeaderCountsTimelineFilesUsageMetadataAndRawJson()
    {
        _api.Add(TestBatches.Json("batch_done", "completed", total: 10, failed: 2));

        var (status, html) = await GetAsync("/batches/batch_done?connection=openai");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<title>batch_done (completed) · Batch Dashboard</title>", html, StringComparison.Ordinal);
        Assert.Matches("<h1[^>]*><code>batch_done</code>", html);
        Assert.Matches("data-testid=\"detail-status\"[^>]*><span class=\"mud-chip-content\">completed</span>", html);
        Assert.Contains("<dt>Endpoint</dt><dd>/v1/chat/completions</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dt>Model</dt><dd data-testid=\"model\">gpt-4o-mini-2024-07-18</dd>", html, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"8 completed, 2 failed and 0 not run of 10 requests\"", html, StringComparison.Ordinal);
        Assert.Equal("validating in_progress finalizing completed", string.Join(' ', Regex.Matches(html, "data-phase=\"([^\"]+)\"").Select(m => m.Groups[1].Value)));
        Assert.Contains("11 min after it was created", html, StringComparison.Ordinal);
        Assert.Contains("file-outputbatch_done", html, StringComparison.Ordinal);
        Assert.Matches("<th scope=\"row\">of which reasoning</th><td class=\"number\">5</td>", html);
        Assert.Contains("href=\"batches?meta=project%3Deval\"", html, StringComparison.Ordinal);
        Assert.Contains("\"id\": \"batch_done\",", html, StringComparison.Ordinal); // raw JSON, pretty-printed
        Assert.Contains("Throughput, average", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"cancel-batch\"", html, StringComparison.Ordinal); // a finished batch cannot be cancelled
        Assert.DoesNotContain("data-testid=\"eta\"", html, StringComparison.Ordinal);
        // Nothing to refresh: an ended batch no longer changes, and the page says when it was last updated.
        Assert.DoesNotContain("data-testid=\"refresh\"", html, StringComparison.Ordinal);
        Assert.Matches("data-testid=\"confirmed\"[^>]*>\\s*Ended: it no longer changes. Last updated from the API <time", html);
        Assert.DoesNotContain("never-ran", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("in_progress", "Token usage is reported when the batch ends.")]
    [InlineData("completed", "The provider did not report token usage for this batch")]
    public async Task ABatchWithoutUsage_SaysWhetherItIsStillToComeOrWasNotReported(string status, string text)
    {
        _api.Add(TestBatches.Json("batch_no_usage", status, change: b => b["usage"] = null));

        var (_, html) = await GetAsync("/batches/batch_no_usage");

        Assert.Matches($"data-testid=\"usage-missing\">{Regex.Escape(text)}", html);
    }

    [Fact]
    public async Task RunningBatch_OffersCancel_AndCountsDownToTheEndOfItsWindow()
    {
        _api.Add(TestBatches.Json("batch_running", "in_progress", total: 1000, completed: 300, failed: 10));

        var (_, html) = await GetAsync("/batches/batch_running");

        Assert.Matches("(?s)data-testid=\"cancel-batch\"[^>]*>.{0,200}Cancel batch…", html);
        Assert.Matches("<button(?=[^>]*disabled)(?=[^>]*data-testid=\"cancel-batch\")[^>]*>", html); // until the circuit is live
        Assert.Matches("The completion window ends in <strong[^>]*>23 h 30 min</strong>", html);
        Assert.Contains("for 29 min so far", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"eta\"", html, StringComparison.Ordinal);
        // 310 finished in the 29 min 55 s it has been in progress: about 10 a minute.
        Assert.Contains("<dd data-testid=\"throughput\">10 requests/min</dd>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunningBatch_EstimatesItsEnd_FromHowSimilarBatchesWent_AndSaysHowSure()
    {
        // Six of the same model, endpoint and size completed in the last days, in 1 h to 1 h 50 min.
        for (var i = 0; i < 6; i++)
        {
            var created = C - 86_400 - (i * 3_600);
            _api.Add(TestBatches.Json($"batch_past_{i}", "completed", created, total: 1000, change: b =>
            {
                b["finalizing_at"] = created + 3_000 + (i * 600);
                b["completed_at"] = created + 3_600 + (i * 600);
            }));
        }

        // Half an hour in, none of its requests finished yet: history alone says when it ends.
        _api.Add(TestBatches.Json("batch_running", "in_progress", total: 1000, completed: 0, failed: 0));

        var (_, html) = await GetAsync("/batches/batch_running");

        Assert.Contains("<span class=\"figures__note\" data-testid=\"eta-basis\">from how 6 similar batches went</span>", html, StringComparison.Ordinal);
        // The median of 60 to 110 min, from its creation: 80 min, 50 min from now.
        Assert.Matches("data-testid=\"eta\"[^>]*>.{0,400}in 5[01] min", html);
        // Percentiles come from the rollups' histograms, each within about 1% (110 min reads as 1 h 50 or 51 min).
        Assert.Matches("^6 similar batches \\(same model, endpoint and size, last 30 days\\) finished in 1 h to 1 h 5[01] min\\.$",
            Regex.Match(html, "data-testid=\"history-estimate\">([^<]*)<").Groups[1].Value);
    }

    [Fact]
    public async Task FailedValidation_ShowsEachErrorWithItsLine()
    {
        _api.Add(TestBatches.Json("batch_invalid", "failed", total: 0, completed: 0, failed: 0, change: b =>
        {
            b["in_progress_at"] = null;
            b["failed_at"] = C + 20;
            b["request_counts"] = new JsonObject { ["total"] = 0, ["completed"] = 0, ["failed"] = 0 };
            b["errors"] = JsonNode.Parse("""
                {"object":"list","data":[
                  {"code":"invalid_json_line","message":"This line is not parseable as valid JSON.","param":null,"line":2},
                  {"code":"mismatched_model","message":"The provided model 'gpt-4o' does not match the model of the batch.","param":"body.model","line":7}]}
                """);
        }));

        var (_, html) = await GetAsync("/batches/batch_invalid");

        Assert.Contains("Errors <span class=\"card__count\">2</span>", html, StringComparison.Ordinal);
        Assert.Matches("<td><code>invalid_json_line</code></td>\\s*<td class=\"wrap\">This line is not parseable as valid JSON.</td>\\s*<td>—</td>\\s*<td class=\"number\">2</td>", html);
        Assert.Matches("(?s)<td><code>mismatched_model</code></td>.*?<td>body.model</td>\\s*<td class=\"number\">7</td>", html);
        // It never ran: the page leads with why, and has no empty charts.
        Assert.Contains("The API refused this batch's input file at validation (2 problems, below), so none of its requests ran.", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"never-ran\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"requests-title\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"progress-title\"", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("never-ran", StringComparison.Ordinal) < html.IndexOf("errors-title", StringComparison.Ordinal));
        // No retry of a file the API refused: its input file, loaded on the new-batch page, to fix and send again.
        Assert.Matches("<a[^>]*href=\"batches/new\\?from=batch_invalid&connection=openai\"[^>]*data-testid=\"fix-and-resend\"|<a[^>]*data-testid=\"fix-and-resend\"[^>]*href=\"batches/new\\?from=batch_invalid&connection=openai\"", html);
    }

    [Fact]
    public async Task UnknownBatch_Answers404_WithAWayBackAndASearch()
    {
        _api.Add(TestBatches.Json("batch_other", "completed"));

        var (status, html) = await GetAsync("/batches/batch_missing");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("This batch is not in the cache", html, StringComparison.Ordinal);
        Assert.Contains("href=\"batches?q=batch_missing\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingSync_KeepsTheCachedBatchOnScreen_AndSaysWhy()
    {
        _api.Add(TestBatches.Json("batch_running", "in_progress"));
        using var client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);
        _api.Fault = async context =>
        {
            await ApiTestServer.WriteJsonAsync(context, """{"error":{"message":"The server is overloaded.","type":"server_error","param":null,"code":null}}""", 503);
            return true;
        };
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Failing);

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/batches/batch_running", Token));

        Assert.Matches("data-testid=\"detail-status\"[^>]*><span class=\"mud-chip-content\">in progress</span>", html);
        Assert.Matches("(?s)data-testid=\"sync-failing\".*?The last sync of <strong>OpenAI</strong> failed \\(.*The server is overloaded", html);
        Assert.Contains("Sync failing", html, StringComparison.Ordinal); // the app bar's indicator
    }

    [Fact]
    public async Task RunningBatch_NotConfirmedForMinutes_IsMarkedStale()
    {
        _api.Add(TestBatches.Json("batch_running", "in_progress"));
        using var client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);
        // The upstream stops answering (no error yet: the request hangs), and five minutes pass. Once a request
        // hangs, every earlier cycle has ended: none can record a later success.
        var hanging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _api.Fault = async context =>
        {
            hanging.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
            return true;
        };
        await hanging.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        _clock.Advance(TimeSpan.FromMinutes(5));

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/batches/batch_running", Token));

        Assert.Matches("(?s)data-testid=\"stale\".*?Not confirmed with the API since <time[^>]*>5 min ago</time>: the figures may be behind.", html);
    }

    [Fact]
    public async Task Api_AnswersErrorsInTheOpenAiShape_AndLeavesUnreportedUsageNull()
    {
        _api.Add(TestBatches.Json("batch_validating", "validating", change: b => b["usage"] = System.Text.Json.Nodes.JsonNode.Parse(
            """{"input_tokens":0,"output_tokens":0,"total_tokens":0,"input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}}""")));
        using var client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);

        using var missing = await client.GetAsync("/api/batches/batch_missing", Token);
        using var badLimit = await client.GetAsync("/api/batches?limit=0", Token);
        using var badQuery = await client.GetAsync("/api/batches?within=5y", Token);
        using var batch = JsonDocument.Parse(await client.GetStringAsync("/api/batches/batch_validating", Token));
        using var attention = await client.GetAsync("/api/batches?attention=maybe", Token);
        using var list = JsonDocument.Parse(await client.GetStringAsync("/api/batches?attention=1", Token));

        static JsonElement ErrorOf(HttpResponseMessage response) =>
            JsonDocument.Parse(response.Content.ReadAsStringAsync().Result).RootElement.GetProperty("error");
        var notFound = ErrorOf(missing);
        Assert.Equal((HttpStatusCode.NotFound, "invalid_request_error", "not_found"), (missing.StatusCode, notFound.GetProperty("type").GetString(), notFound.GetProperty("code").GetString()));
        Assert.Equal(JsonValueKind.Null, notFound.GetProperty("param").ValueKind);
        var limit = ErrorOf(badLimit);
        Assert.Equal(("invalid_value", "limit"), (limit.GetProperty("code").GetString(), limit.GetProperty("param").GetString()));
        Assert.StartsWith("limit '0' must be a whole number", limit.GetProperty("message").GetString(), StringComparison.Ordinal);
        var query = ErrorOf(badQuery);
        Assert.Contains("within '5y' is not one of", query.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, batch.RootElement.GetProperty("usage").ValueKind); // zeros while validating are no figures
        Assert.Contains("attention 'maybe' is not 1 or 0", ErrorOf(attention).GetProperty("message").GetString(), StringComparison.Ordinal);
        // One of its four finished requests failed: it needs attention, and its flags say why.
        Assert.Equal(1, list.RootElement.GetProperty("needs_attention").GetInt32());
        Assert.Equal(1, list.RootElement.GetProperty("matching").GetInt32());
        Assert.True(batch.RootElement.GetProperty("needs_attention").GetBoolean());
        Assert.Equal(["high_failure_rate"], batch.RootElement.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task Api_ReturnsWhatThePageShows_WithTheHistoryAndThePace()
    {
        _api.Add(TestBatches.Json("batch_running", "in_progress", total: 1000, completed: 300, failed: 10));
        using var client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);

        using var body = JsonDocument.Parse(await client.GetStringAsync("/api/batches/batch_running", Token));
        using var missing = await client.GetAsync("/api/batches/batch_missing", Token);
        using var list = JsonDocument.Parse(await client.GetStringAsync("/api/batches", Token));

        var batch = body.RootElement;
        Assert.Equal("in_progress", batch.GetProperty("status").GetString());
        Assert.Equal(690, batch.GetProperty("request_counts").GetProperty("pending").GetInt32());
        var point = Assert.Single(batch.GetProperty("history").EnumerateArray());
        Assert.Equal(300, point.GetProperty("completed").GetInt32());
        var throughput = batch.GetProperty("throughput");
        Assert.Equal("average", throughput.GetProperty("basis").GetString());
        Assert.Equal(310 / (1795 / 60.0), throughput.GetProperty("requests_per_minute").GetDouble(), 6);
        Assert.Equal(JsonValueKind.String, throughput.GetProperty("estimated_end").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.False(list.RootElement.GetProperty("data")[0].TryGetProperty("history", out _), "the list leaves the history out");
        Assert.Equal(1, batch.GetProperty("history_points").GetInt32());
    }

    [Fact]
    public void Api_SummarizesALongHistory_KeepingItsFirstAndLastPoints()
    {
        var cached = new Core.Queries.CachedBatch("openai", BatchReader.Read(TestBatches.Json("b", "in_progress", total: 5000)).Batch!, Now, Now);
        var history = Enumerable.Range(0, 5000).Select(i => new BatchProgressPoint(Now.AddSeconds(i), "in_progress", 5000, i, 0)).ToList();

        var resource = Api.BatchResource.WithHistory(cached, history, Now.AddSeconds(5000), BatchInsightOptions.Default);

        Assert.Equal(Api.BatchResource.MaxHistory, resource.History!.Count);
        Assert.Equal(5000, resource.HistoryPoints);
        Assert.Equal((0, 4999), (resource.History[0].Completed, resource.History[^1].Completed));
        Assert.True(resource.History.Zip(resource.History.Skip(1)).All(p => p.First.ObservedAt < p.Second.ObservedAt));
    }

    [Fact]
    public async Task EveryFixtureBatch_HasADetailPage_ThatShowsItsStatus()
    {
        var expected = new Dictionary<string, BatchStatus>();
        foreach (var json in SharedFixtures.BatchObjects())
        {
            var batch = BatchReader.Read(json).Batch!;
            expected[batch.Id] = batch.Status;
            _api.Add(json);
        }

        using var client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);
        foreach (var (id, status) in expected)
        {
            using var response = await client.GetAsync($"/batches/{Uri.EscapeDataString(id)}", Token);
            var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Token));

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{id}: {response.StatusCode}");
            Assert.Matches($"data-testid=\"detail-status\"[^>]*><span class=\"mud-chip-content\">{status.Name.Replace('_', ' ')}</span>", html);
            Assert.Contains("Status timeline", html, StringComparison.Ordinal);
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
