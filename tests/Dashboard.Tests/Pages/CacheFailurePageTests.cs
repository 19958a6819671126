using System.Net;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace BatchDashboard.Dashboard.Tests.Pages;

/// <summary>When the cache database fails under the pages, they say so instead of failing.</summary>
public sealed class CacheFailurePageTests : IAsyncDisposable
{
    private readonly DashboardAppFactory _app = new();
    private readonly FakeBatchApi _api;

    public CacheFailurePageTests() => _api = _app.WithFakeUpstream();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListAndDetail_ExplainABrokenCache_WithoutAnErrorPage()
    {
        _api.Add(TestBatches.Json("batch_1", "completed"));
        using var client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);
        await using (var connection = new SqliteConnection(_app.Database.ConnectionString))
        {
            await connection.OpenAsync(Token);
            await using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE batch_documents;"; // every read of a batch needs its document
            await command.ExecuteNonQueryAsync(Token);
        }

        using var list = await client.GetAsync("/batches", Token);
        using var detail = await client.GetAsync("/batches/batch_1", Token);
        var listHtml = WebUtility.HtmlDecode(await list.Content.ReadAsStringAsync(Token));
        var detailHtml = WebUtility.HtmlDecode(await detail.Content.ReadAsStringAsync(Token));

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains("The batches could not be read", listHtml, StringComparison.Ordinal);
        Assert.Contains("The cache database did not answer", listHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("no such table", listHtml, StringComparison.Ordinal); // details stay in the log
        Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
        Assert.Contains("The batch could not be read from the cache", detailHtml, StringComparison.Ordinal);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
