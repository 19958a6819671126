using BatchDashboard.Core.Api;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Sync;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Core.Tests.Sync;

/// <summary>The sync against a loopback upstream that counts calls, into a real SQLite file.</summary>
public class SyncEngineTests : IAsyncLifetime
{
    /// <summary>The SQLite cache; the PostgreSQL subclass runs every test again on PostgreSQL.</summary>
    protected virtual Task<CoreHarness> StartHarnessAsync() => CoreHarness.StartAsync();

    private CoreHarness _harness = default!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _harness = await StartHarnessAsync();

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    /// <summary>Batches batch_0000 (oldest) to batch_{n-1} (newest), one second apart, all completed.</summary>
    private void AddCompleted(int count, int start = 0)
    {
        for (var i = start; i < start + count; i++)
        {
            _harness.Api.Add(TestBatches.Json($"batch_{i:D4}", "completed", created: TestBatches.Created + i));
        }
    }

    /// <summary>Answers 500 to the list page after <paramref name="after"/> until the outage ends (or is disposed).</summary>
    private Outage FailPagesAfter(string after)
    {
        var outage = new Outage(_harness.Api);
        _harness.Api.Fault = async context =>
        {
            if (outage.Active && context.Request.Query["after"] == after)
            {
                await ApiTestServer.WriteJsonAsync(context, """{"error":{"message":"upstream down","type":"server_error"}}""", 500);
                return true;
            }

            return false;
        };
        return outage;
    }

    private sealed class Outage(FakeBatchApi api) : IDisposable
    {
        public bool Active { get; private set; } = true;

        public void End() => Active = false;

        public void Dispose()
        {
            Active = false;
            api.Fault = null;
        }
    }

    private async Task<int> CachedCountAsync() => (await _harness.Queries.SummarizeAsync(new(), Token)).Total;

    [Fact]
    public async Task FirstImport_PagesThroughEverything_AndStoresEveryBatch()
    {
        AddCompleted(250);

        var report = await _harness.Syncer().RunCycleAsync(Token);

        Assert.Equal(3, report.ApiCalls);
        Assert.Equal(250, report.Added);
        Assert.Equal(250, await CachedCountAsync());
        Assert.False(report.HasActiveBatches);
        // The free-text index is built once the import is complete.
        var found = await _harness.Queries.ListAsync(new BatchDashboard.Core.Queries.BatchListRequest { Filter = new() { Text = "batch_0123" } }, Token);
        Assert.Equal("batch_0123", Assert.Single(found.Items).Batch.Id);
        Assert.True((await _harness.Store.GetSyncStateAsync("test", Token)).SearchIndexed);
    }

    [Fact]
    public async Task Cycle_MakesOneCall_WhenNothingChanged()
    {
        AddCompleted(250);
        var syncer = _harness.Syncer();
        await syncer.RunCycleAsync(Token);
        _harness.Api.ResetCalls();

        var report = await syncer.RunCycleAsync(Token);

        Assert.Equal(1, report.ApiCalls);
        Assert.Equal(0, report.Changed);
    }

    [Fact]
    public async Task Cycle_FindsNewBatches_AndRefreshesRunningOnesOnTheHeadPage_InOneCall()
    {
        AddCompleted(300);
        _harness.Api.Add(TestBatches.Json("batch_run", "in_progress", created: TestBatches.Created + 1_000));
        var syncer = _harness.Syncer();
        await syncer.RunCycleAsync(Token);
        _harness.Api.ResetCalls();
        _harness.Api.Add(TestBatches.Json("batch_new1", "validating", created: TestBatches.Created + 2_000));
        _harness.Api.Add(TestBatches.Json("batch_new2", "validating", created: TestBatches.Created + 2_001));
        _harness.Api.Update("batch_run", b => b["request_counts"]!["completed"] = 8);

        var report = await syncer.RunCycleAsync(Token);

        Assert.Equal(1, report.ApiCalls);
        Assert.Equal(2, report.Added);
        Assert.Equal(3, report.Changed);
        Assert.Equal(8, (await _harness.Queries.GetAsync("batch_run", null, Token))!.Batch.RequestCounts!.Completed);
    }

    [Fact]
    public async Task Cycle_ReadsMoreHeadPages_WhileEveryBatchOnThemIsNew()
    {
        AddCompleted(50);
        var syncer = _harness.Syncer();
        await syncer.RunCycleAsync(Token);
        _harness.Api.ResetCalls();
        AddCompleted(150, start: 1_000);

        var report = await syncer.RunCycleAsync(Token);

        Assert.Equal(2, report.ApiCalls);
        Assert.Equal(150, report.Added);
        Assert.Equal(200, await CachedCountAsync());
    }

    [Fact]
    public async Task Cycle_CutShortAfterAPageOfNewBatches_FindsTheRestNextCycle()
    {
        AddCompleted(50);
        var syncer = _harness.Syncer();
        await syncer.RunCycleAsync(Token);
        AddCompleted(150, start: 1_000); // pages: 1149-1050, then 1049-1000 with 0049-0000
        using var outage = FailPagesAfter("batch_1050");
        await Assert.ThrowsAsync<BatchApiException>(() => syncer.RunCycleAsync(Token));
        Assert.Equal(150, await CachedCountAsync());

        outage.End();
        _harness.Api.ResetCalls();
        var report = await syncer.RunCycleAsync(Token);

        // The newest page is all cached now, but the scan goes on to the newest batch the last whole scan saw.
        Assert.Equal(2, report.ApiCalls);
        Assert.Equal(200, await CachedCountAsync());
        _harness.Api.ResetCalls();
        Assert.Equal(1, (await syncer.RunCycleAsync(Token)).ApiCalls);
    }

    [Fact]
    public async Task Cycle_DoesNotStopAtANewBatchCachedBetweenCycles()
    {
        AddCompleted(50);
        var syncer = _harness.Syncer();
        await syncer.RunCycleAsync(Token);
        AddCompleted(150, start: 1_000);
        // Cached before the next cycle, as a batch created or refreshed through the dashboard is.
        await syncer.RefreshAsync("batch_1120", Token);

        await syncer.RunCycleAsync(Token);

        Assert.Equal(200, await CachedCountAsync());
    }

    [Fact]
    public async Task Cycle_RefreshesAFewDeepRunningBatches_WithOneGetEach()
    {
        AddCompleted(1_000);
        foreach (var i in new[] { 400, 450, 480 })
        {
            _harness.Api.Update($"batch_{i:D4}", b => b["status"] = "in_progress");
        }

        var syncer = _harness.Syncer();
        await syncer.RunCycleAsync(Token);
        _harness.Api.ResetCalls();
        _harness.Api.Update("batch_0450", b => b["status"] = "finalizing");

        var report = await syncer.RunCycleAsync(Token);

        // One head page, then three GETs: paging down to position ~600 would take five more pages.
        Assert.Equal(4, report.ApiCalls);
        Assert.Equal(["GET /v1/batches?limit=100", "GET /v1/batches/batch_0480", "GET /v1/batches/batch_0450", "GET /v1/batches/batch_0400"],
            _harness.Api.CallLog);
        Assert.Equal(BatchStatusKind.Finalizing, (await _harness.Queries.GetAsync("batch_0450", null, Token))!.Batch.Status.Kind);
    }

    [Fact]
    public async Task Cycle_RefreshesManyRunningBatchesOnTheNextPage_ByPagingOn()
    {
        AddCompleted(300);
        for (var i = 180; i < 195; i++)
        {
            _harness.Api.Update($"batch_{i:D4}", b => b["status"] = "in_progress");
        }

        var syncer = _harness.Syncer();
        await syncer.RunCycleAsync(Token);
        _harness.Api.ResetCalls();

        var report = await syncer.RunCycleAsync(Token);

        // Positions 106 to 120: one more page beats fifteen GETs.
        Assert.Equal(2, report.ApiCalls);
        Assert.All(_harness.Api.CallLog, call => Assert.StartsWith("GET /v1/batches?limit=100", call, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FinishedBatches_AreNeverFetchedOneByOne()
    {
        AddCompleted(500);
        var syncer = _harness.Syncer();
        await syncer.RunCycleAsync(Token);

        for (var cycle = 0; cycle < 3; cycle++)
        {
            await syncer.RunCycleAsync(Token);
        }

        Assert.DoesNotContain(_harness.Api.CallLog, call => call.StartsWith("GET /v1/batches/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OldBatchesWithAnUnknownStatus_AreNotFetchedEveryCycle()
    {
        // A provider whose finished batches say "SUCCESS": unknown to us, so possibly still running, but not for ever.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        AddCompleted(300, start: 10_000);
        _harness.Api.Add(TestBatches.Json("batch_old_success", "SUCCESS", created: now - (3 * 86_400)));
        _harness.Api.Add(TestBatches.Json("batch_new_success", "SUCCESS", created: now - 3_600));
        _harness.Api.Add(TestBatches.Json("batch_recent_done", "completed", created: now - 60));
        var syncer = _harness.Syncer(pageSize: 1);
        await syncer.RunCycleAsync(Token);
        _harness.Api.ResetCalls();

        await syncer.RunCycleAsync(Token);

        Assert.Contains("GET /v1/batches/batch_new_success", _harness.Api.CallLog);
        Assert.DoesNotContain("GET /v1/batches/batch_old_success", _harness.Api.CallLog);
    }

    [Fact]
    public async Task FailedImport_KeepsWhatWasStored_AndResumesWhereItStopped()
    {
        AddCompleted(300); // pages: 0299-0200, 0199-0100, 0099-0000
        using var outage = FailPagesAfter("batch_0100");
        var syncer = _harness.Syncer();

        var error = await Assert.ThrowsAsync<BatchApiException>(() => syncer.RunCycleAsync(Token));

        Assert.Equal(200, await CachedCountAsync());
        var status = Assert.Single(_harness.Services.GetRequiredService<ISyncStatusProvider>().GetAll(), s => s.ConnectionId == "test");
        Assert.Equal(SyncPhase.Failing, status.Phase);
        Assert.Contains("upstream down", status.LastError, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode500, error.StatusCode);

        // A retry that fails again keeps the error on screen rather than flickering back to "importing".
        await Assert.ThrowsAsync<BatchApiException>(() => syncer.RunCycleAsync(Token));
        Assert.Equal(SyncPhase.Failing, _harness.Services.GetRequiredService<ISyncStatusProvider>().GetAll().Single(s => s.ConnectionId == "test").Phase);

        outage.End();
        _harness.Api.ResetCalls();
        var report = await syncer.RunCycleAsync(Token);

        Assert.Equal(["GET /v1/batches?limit=100&after=batch_0100"], _harness.Api.CallLog);
        Assert.Equal(1, report.ApiCalls);
        Assert.Equal(300, await CachedCountAsync());
    }

    private static readonly System.Net.HttpStatusCode HttpStatusCode500 = System.Net.HttpStatusCode.InternalServerError;

    [Fact]
    public async Task FirstImport_IntoAnEmptyCache_AnswersThroughout_AndBuildsTheDeferredIndexesAtItsEnd()
    {
        for (var i = 0; i < 300; i++)
        {
            _harness.Api.Add(TestBatches.Json($"batch_{i:D4}", "completed", created: TestBatches.Created + i, total: 10, completed: 10 - (i % 7), failed: i % 7));
        }

        using var outage = FailPagesAfter("batch_0100");
        var syncer = _harness.Syncer();
        await Assert.ThrowsAsync<BatchApiException>(() => syncer.RunCycleAsync(Token));

        // Cut short: on SQLite the import goes without the deferred indexes, and the sort still answers, sorting rows.
        Assert.Equal(!_harness.OnPostgres ? 0 : AllDeferred, await DeferredIndexCountAsync());
        var byFailures = new BatchDashboard.Core.Queries.BatchListRequest { Sort = new(BatchDashboard.Core.Queries.BatchSortField.Failures), PageSize = 100 };
        var cutShort = await _harness.Queries.ListAsync(byFailures, Token);
        Assert.Equal(100, cutShort.Items.Count);
        Assert.All(cutShort.Items.Take(28), item => Assert.Equal(6, item.Batch.RequestCounts!.Failed));

        var byEndpoint = await _harness.Queries.ListAsync(new() { Filter = new() { Endpoint = "/v1/chat/completions" }, PageSize = 500 }, Token);
        Assert.Equal(200, byEndpoint.Items.Count);

        // A restart builds them; the resumed import keeps them, and the answers are the same.
        await _harness.Services.GetRequiredService<BatchDashboard.Core.Cache.IBatchCacheDatabase>().MigrateAsync(Token);
        Assert.Equal(AllDeferred, await DeferredIndexCountAsync());
        outage.End();
        await syncer.RunCycleAsync(Token);

        Assert.Equal(AllDeferred, await DeferredIndexCountAsync());
        Assert.Equal(300, (await _harness.Queries.ListAsync(new() { Filter = new() { Endpoint = "/v1/chat/completions" }, PageSize = 500 }, Token)).Items.Count);
        Assert.Equal(300, await CachedCountAsync());
        var all = await _harness.Queries.ListAsync(byFailures with { PageSize = 500 }, Token);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => i % 7).Order().Reverse(), all.Items.Select(item => item.Batch.RequestCounts!.Failed!.Value));
    }

    [Fact]
    public async Task FirstImport_IntoAnEmptyCache_EndsWithTheDeferredIndexes_AndOneIntoAFilledCacheKeepsThem()
    {
        AddCompleted(150);

        await _harness.Syncer().RunCycleAsync(Token);
        Assert.Equal(AllDeferred, await DeferredIndexCountAsync());

        // A second connection's first import: the cache holds batches, whose queries keep their indexes.
        var first = _harness.Connection;
        var second = new BatchDashboard.Core.Connections.ApiConnection { Id = "second", Name = "Second", Kind = first.Kind, BaseUrl = first.BaseUrl, ApiKey = first.ApiKey };
        using var outage = FailPagesAfter("batch_0050");
        await Assert.ThrowsAsync<BatchApiException>(() => _harness.Syncer(connection: second).RunCycleAsync(Token));
        Assert.Equal(AllDeferred, await DeferredIndexCountAsync());
    }

    /// <summary>How many of the indexes a first import into an empty cache defers the cache has (3 when all).</summary>
    private static readonly long AllDeferred = BatchDashboard.Core.Cache.BatchStore.DeferredIndexes.Count;

    private Task<long> DeferredIndexCountAsync()
    {
        var names = string.Join(", ", BatchDashboard.Core.Cache.BatchStore.DeferredIndexes.Select(index => $"'{index.Name}'"));
        return _harness.ScalarAsync(_harness.OnPostgres
            ? $"SELECT COUNT(*) FROM pg_indexes WHERE indexname IN ({names})"
            : $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ({names})");
    }

    [Fact]
    public async Task MalformedBatchInAPage_IsSkipped_AndTheRestOfThePageKept()
    {
        AddCompleted(5);
        _harness.Api.Add("""{"object":"batch","status":"completed","created_at":1761592700}""");

        await _harness.Syncer().RunCycleAsync(Token);

        Assert.Equal(5, await CachedCountAsync());
    }

    [Fact]
    public async Task Changes_AreAnnounced_WithTheBatchesThatChanged()
    {
        AddCompleted(3);
        var changes = new List<CacheChange>();
        using var subscription = _harness.Services.GetRequiredService<IBatchChangeNotifications>().Subscribe(change =>
        {
            lock (changes) { changes.Add(change); }
            return Task.CompletedTask;
        });

        await _harness.Syncer().RunCycleAsync(Token);

        var batchChange = Assert.Single(changes, c => c.ChangedBatchIds.Count > 0);
        Assert.Equal(["batch_0002", "batch_0001", "batch_0000"], batchChange.ChangedBatchIds);
        Assert.Contains(changes, c => c.SyncStateChanged);
    }

    [Fact]
    public async Task Cancel_StoresTheApisAnswer_AndRefreshReadsOneBatch()
    {
        _harness.Api.Add(TestBatches.Json("batch_live", "in_progress"));
        var syncer = _harness.Syncer();
        await syncer.RunCycleAsync(Token);

        var cancelled = await syncer.CancelAsync("batch_live", Token);
        var refreshed = await syncer.RefreshAsync("batch_live", Token);

        Assert.Equal(BatchStatusKind.Cancelling, cancelled!.Status.Kind);
        Assert.Equal(BatchStatusKind.Cancelling, refreshed!.Status.Kind);
        Assert.Equal(BatchStatusKind.Cancelling, (await _harness.Queries.GetAsync("batch_live", "test", Token))!.Batch.Status.Kind);
        Assert.Null(await syncer.RefreshAsync("batch_gone", Token));
    }
}

/// <summary>Every sync-engine test again, on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SyncEngineOnPostgresTests(PostgresServer postgres) : SyncEngineTests
{
    protected override Task<CoreHarness> StartHarnessAsync() => CoreHarness.StartAsync(postgres);
}
