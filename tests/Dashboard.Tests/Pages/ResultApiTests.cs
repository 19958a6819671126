using System.Net;
using System.Text.Json;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Results;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Dashboard.Tests.Pages;

/// <summary>The results JSON API, downloads and exports over HTTP, on the demo's emulator and a real sync.</summary>
public sealed class ResultApiTests : IAsyncLifetime
{
    private readonly DashboardAppFactory _app = new DashboardAppFactory().WithDemo();
    private HttpClient _client = default!;
    private string _id = default!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.ConnectionId == "demo" && s.Phase == SyncPhase.Polling);
        // The completed batch with the most failures: it has all three files.
        var page = await _app.Services.GetRequiredService<IBatchQueries>().ListAsync(new BatchListRequest
        {
            Filter = new BatchFilter { Statuses = [Core.Batches.BatchStatusKind.Completed] },
            Sort = new BatchSort(BatchSortField.Failures),
            PageSize = 1,
        }, Token);
        _id = page.Items[0].Batch.Id;
    }

    private Task IndexAsync() => _app.Services.GetRequiredService<IResultIndexing>().IndexAsync("demo", _id, Token);

    [Fact]
    public async Task Summary_AsksForIndexing_ThenReportsOutcomesErrorsTokensAndCost()
    {
        using var first = JsonDocument.Parse(await _client.GetStringAsync($"/api/batches/{_id}/results/summary", Token));
        await IndexAsync();
        using var summary = JsonDocument.Parse(await _client.GetStringAsync($"/api/batches/{_id}/results/summary", Token));

        var root = summary.RootElement;
        Assert.Equal(JsonValueKind.Object, first.RootElement.GetProperty("outcomes").ValueKind);
        Assert.True(root.GetProperty("total").GetInt32() > 0);
        Assert.True(root.GetProperty("outcomes").GetProperty("succeeded").GetInt32() > 0);
        Assert.Equal(["input", "output", "error"], root.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("kind").GetString()));
        Assert.All(root.GetProperty("files").EnumerateArray(), f => Assert.Equal("indexed", f.GetProperty("state").GetString()));
        Assert.NotEmpty(root.GetProperty("errors").EnumerateArray());
        Assert.True(root.GetProperty("cost_usd").GetProperty("batch_price").GetDecimal() > 0);
    }

    [Fact]
    public async Task List_FiltersAndPages_AndOneRequestGivesBothLines()
    {
        await IndexAsync();

        using var failed = JsonDocument.Parse(await _client.GetStringAsync($"/api/batches/{_id}/results?outcome=http_error&limit=5", Token));
        var rows = failed.RootElement.GetProperty("data").EnumerateArray().ToList();
        var customId = rows[0].GetProperty("custom_id").GetString()!;
        using var next = JsonDocument.Parse(await _client.GetStringAsync($"/api/batches/{_id}/results?outcome=http_error&limit=5&after={failed.RootElement.GetProperty("next_cursor").GetString()}", Token));
        using var one = JsonDocument.Parse(await _client.GetStringAsync($"/api/batches/{_id}/results/requests/{customId}", Token));
        using var bad = await _client.GetAsync($"/api/batches/{_id}/results?outcome=bogus", Token);
        using var missing = await _client.GetAsync($"/api/batches/{_id}/results/requests/nope", Token);

        Assert.Equal(5, rows.Count);
        Assert.All(rows, r => Assert.Equal("http_error", r.GetProperty("outcome").GetString()));
        Assert.True(next.RootElement.GetProperty("data")[0].GetProperty("position").GetInt64() > rows[^1].GetProperty("position").GetInt64());
        Assert.Contains(customId, one.RootElement.GetProperty("input_line").GetString(), StringComparison.Ordinal);
        Assert.Contains("\"status_code\"", one.RootElement.GetProperty("result_line").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync(Token)))
        {
            Assert.StartsWith("outcome 'bogus' is not one of", problem.RootElement.GetProperty("error").GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task TheOriginalFiles_AreStreamedThroughTheServer_FromTheApiOrTheLocalCopy()
    {
        // Before indexing the file comes from the API; after, from the local copy: the same bytes either way.
        using var fromApi = await _client.GetAsync($"/api/batches/{_id}/files/output", Token);
        var upstream = await fromApi.Content.ReadAsByteArrayAsync(Token);
        await IndexAsync();
        using var fromCopy = await _client.GetAsync($"/api/batches/{_id}/files/output", Token);
        var local = await fromCopy.Content.ReadAsByteArrayAsync(Token);
        using var unknownKind = await _client.GetAsync($"/api/batches/{_id}/files/other", Token);
        using var unknownBatch = await _client.GetAsync("/api/batches/batch_nope/files/input", Token);

        Assert.Equal(HttpStatusCode.OK, fromApi.StatusCode);
        Assert.Equal("attachment", fromApi.Content.Headers.ContentDisposition?.DispositionType);
        Assert.NotEmpty(upstream);
        Assert.Equal(upstream, local);
        Assert.Equal(HttpStatusCode.BadRequest, unknownKind.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownBatch.StatusCode);
    }

    [Fact]
    public async Task Exports_HoldTheFilteredRequests_AsCsvJoinedJsonlAndInputLines()
    {
        await IndexAsync();
        using var summary = JsonDocument.Parse(await _client.GetStringAsync($"/api/batches/{_id}/results/summary", Token));
        var httpErrors = summary.RootElement.GetProperty("outcomes").GetProperty("http_error").GetInt32();

        var csv = (await _client.GetStringAsync($"/api/batches/{_id}/results/export.csv?outcome=http_error", Token)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var jsonl = (await _client.GetStringAsync($"/api/batches/{_id}/results/export.jsonl?outcome=http_error", Token)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var inputs = (await _client.GetStringAsync($"/api/batches/{_id}/results/inputs.jsonl?outcome=http_error", Token)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.StartsWith("custom_id,outcome,status_code,error_code,error_message", csv[0], StringComparison.Ordinal);
        Assert.Equal(httpErrors, csv.Length - 1);
        Assert.All(csv.Skip(1), line => Assert.Contains(",http_error,", line, StringComparison.Ordinal));
        Assert.Equal(httpErrors, jsonl.Length);
        using (var first = JsonDocument.Parse(jsonl[0]))
        {
            var record = first.RootElement;
            Assert.Equal(record.GetProperty("custom_id").GetString(), record.GetProperty("request").GetProperty("custom_id").GetString());
            Assert.Equal(record.GetProperty("custom_id").GetString(), record.GetProperty("result").GetProperty("custom_id").GetString());
            Assert.True(record.GetProperty("result").GetProperty("response").GetProperty("status_code").GetInt32() >= 400);
        }

        Assert.Equal(httpErrors, inputs.Length);
        Assert.All(inputs, line => Assert.Contains("\"method\":\"POST\"", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheResultsPage_RendersTheIndex_AndANotCachedBatchAnswers404()
    {
        await IndexAsync();

        var html = WebUtility.HtmlDecode(await _client.GetStringAsync($"/batches/{_id}/results?connection=demo&outcome=http_error", Token));
        using var missing = await _client.GetAsync("/batches/batch_nope/results", Token);

        Assert.Matches("<h2 class=\"card__title\" id=\"outcomes-title\"[^>]*>Outcomes", html); // with the page's scoped-CSS attribute

        Assert.Matches("<a(?=[^>]*aria-current=\"true\")(?=[^>]*data-outcome=\"http_error\")[^>]*>", html);
        Assert.Contains("Errors by code", html, StringComparison.Ordinal);
        Assert.Matches("data-testid=\"file-state-output\" data-state=\"indexed\"[^>]*>\\s*<span[^>]*>[\\d,]+ lines", html);
        Assert.Matches("About <strong[^>]*>\\$", html);
        Assert.Equal(HttpStatusCode.OK, missing.StatusCode); // a page that names the batch as not cached (see the detail page for the 404)
        Assert.Contains("This batch is not in the cache", WebUtility.HtmlDecode(await missing.Content.ReadAsStringAsync(Token)), StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }
}
