using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Model;
using BatchDashboard.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Dashboard.Tests.Model;

/// <summary>
/// The list's view model over the whole app's services (a SQLite cache synced from a loopback upstream), without a
/// renderer: keyset pages and their "51–100 of N", the page-to-cursor map behind "previous", the facets narrowing
/// each other, and a live change read again with its rows marked.
/// </summary>
public sealed class BatchListViewModelTests : IAsyncDisposable
{
    private readonly DashboardAppFactory _app = new();
    private readonly FakeBatchApi _api;

    public BatchListViewModelTests()
    {
        _api = _app.WithFakeUpstream();
        for (var i = 0; i < 120; i++)
        {
            var embeddings = i % 3 == 0;
            _api.Add(TestBatches.Json($"batch_{i:D3}", i % 4 == 0 ? "failed" : "completed", created: TestBatches.Created + i, change: j =>
            {
                j["endpoint"] = embeddings ? "/v1/embeddings" : "/v1/chat/completions";
                j["model"] = embeddings ? "text-embedding-3-small" : "gpt-4.1-mini";
            }));
        }
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<BatchListViewModel> ModelAsync()
    {
        using var client = _app.CreateClient(); // starts the app and its sync
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling && s.ImportedBatches >= 120);
        return _app.Services.CreateScope().ServiceProvider.GetRequiredService<BatchListViewModel>();
    }

    [Fact]
    public async Task TheHeadersFigures_OpenTheListFilteredToWhatTheyCount_KeepingTheOtherFilters()
    {
        var model = await ModelAsync();

        await model.LoadAsync(new BatchListQuery { Endpoint = "/v1/embeddings", Page = 2 }, [], Token);

        Assert.Equal("batches?status=validating%2Cin_progress%2Cfinalizing%2Ccancelling&endpoint=%2Fv1%2Fembeddings", model.InFlightHref);
        Assert.Equal("batches?status=failed&endpoint=%2Fv1%2Fembeddings&within=24h", model.FailedBatchesHref);
        Assert.Equal("batches?endpoint=%2Fv1%2Fembeddings&within=24h&sort=failures", model.FailedRequestsHref);
    }

    [Fact]
    public async Task NeedsAttention_CountsAndShowsTheFlaggedAndFailedBatches_WithinTheOtherFilters()
    {
        var model = await ModelAsync();

        // One in ten failed requests is not more than one in ten: the completed batches are no alarm; the failed are.
        await model.LoadAsync(new BatchListQuery(), [], Token);
        Assert.Equal(30, model.Summary!.NeedsAttention);

        var attention = new BatchListQuery().ToggleAttention();
        Assert.Equal("batches?attention=1", DashboardUrls.Batches(attention));
        await model.LoadAsync(attention, [], Token);
        Assert.Equal(30, model.Matching);
        Assert.All(model.Rows, row => Assert.Equal(BatchStatusKind.Failed, row.Status.Kind));
        Assert.Equal("needing attention", attention.Describe());

        await model.LoadAsync(attention with { Endpoint = "/v1/embeddings" }, [], Token);
        Assert.Equal(10, model.Matching); // i % 12 == 0
        Assert.Equal(10, model.Summary.NeedsAttention);
        Assert.Equal(new BatchListQuery(), attention.ToggleAttention());
    }

    [Fact]
    public async Task Pages_ByCursor_SayWhereTheyAre_AndGoBackThroughThePagesWalked()
    {
        var model = await ModelAsync();

        await model.LoadAsync(new BatchListQuery(), [], Token);
        Assert.Equal("1–50 of 120", model.Range);
        Assert.Null(model.PreviousPage);
        Assert.Equal("batch_119", model.Rows[0].Id);
        var second = model.NextPage!;
        Assert.Equal(2, second.Page);

        await model.LoadAsync(second, [], Token);
        Assert.Equal("51–100 of 120", model.Range);
        Assert.Equal("batch_069", model.Rows[0].Id);
        var third = model.NextPage!;
        Assert.Contains("page=2", DashboardUrls.Batches(second), StringComparison.Ordinal);

        await model.LoadAsync(third, [], Token);
        Assert.Equal("101–120 of 120", model.Range);
        Assert.Null(model.NextPage);
        // Back one page: the cursor of page 2, from the map of pages walked, not an offset.
        Assert.Equal(second, model.PreviousPage);

        // Opened from a link, page 3's earlier pages were never read here: back goes to the first.
        var fresh = _app.Services.CreateScope().ServiceProvider.GetRequiredService<BatchListViewModel>();
        await fresh.LoadAsync(third, [], Token);
        Assert.Equal(third.FirstPage(), fresh.PreviousPage);
    }

    [Fact]
    public async Task AFilter_CountsItsMatches_AndTheEndpointAndModelChoicesNarrowEachOther()
    {
        var model = await ModelAsync();

        await model.LoadAsync(new BatchListQuery { Statuses = [BatchStatusKind.Failed] }, [], Token);
        Assert.Equal(30, model.Matching);
        Assert.Equal(120, model.Cached);
        Assert.Equal("1–30 of 30", model.Range);

        await model.LoadAsync(new BatchListQuery { Endpoint = "/v1/embeddings" }, [], Token);
        Assert.Equal(["text-embedding-3-small"], model.Models);
        Assert.Equal(["/v1/chat/completions", "/v1/embeddings"], model.Endpoints);

        await model.LoadAsync(new BatchListQuery { Model = "gpt-4.1-mini" }, [], Token);
        Assert.Equal(["/v1/chat/completions"], model.Endpoints);
    }

    [Fact]
    public async Task ALiveChange_IsReadAgain_WithTheRowsItBroughtMarked()
    {
        var model = await ModelAsync();
        await model.LoadAsync(new BatchListQuery(), [], Token);
        Assert.Empty(model.Highlighted);

        _api.Add(TestBatches.Json("batch_new", "validating", created: TestBatches.Created + 500));
        var changes = _app.Services.GetRequiredService<IBatchChangeNotifications>();
        var arrived = new TaskCompletionSource<CacheChanges>();
        using var subscription = changes.Follow(c => { arrived.TrySetResult(c); return Task.CompletedTask; });
        // Fetched now, as "refresh" does, rather than at the next poll.
        await _app.Services.GetRequiredService<IBatchOperations>().RefreshAsync("openai", "batch_new", Token);
        await model.ApplyAsync(await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10), Token), Token);

        Assert.Equal("batch_new", model.Rows[0].Id);
        Assert.Contains("batch_new", model.Highlighted);
        Assert.Equal(121, model.Cached);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
