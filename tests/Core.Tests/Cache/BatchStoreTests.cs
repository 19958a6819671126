using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Core.Tests.Cache;

public class BatchStoreTests : IAsyncLifetime
{
    /// <summary>The SQLite cache; the PostgreSQL subclass runs every test again on PostgreSQL.</summary>
    protected virtual Task<CoreHarness> StartHarnessAsync() => CoreHarness.StartAsync();

    private CoreHarness _harness = default!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _harness = await StartHarnessAsync();

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    private static Batch Read(string json) => BatchReader.Read(json).Batch!;

    [Fact]
    public async Task Upsert_StoresNewBatches_WithTheirFirstSnapshot()
    {
        var result = await _harness.Store.UpsertAsync("c", [Read(TestBatches.Json("b1")), Read(TestBatches.Json("b2"))], Token);

        Assert.Equal(["b1", "b2"], result.Added);
        Assert.Equal(["b1", "b2"], result.Changed);
        var history = await _harness.Queries.GetHistoryAsync("c", "b1", Token);
        var point = Assert.Single(history);
        Assert.Equal(("in_progress", 10, 3, 1), (point.Status, point.Total!.Value, point.Completed!.Value, point.Failed!.Value));
    }

    [Fact]
    public async Task Upsert_NeverMovesAFinishedBatchBack_OnAStaleAnswer()
    {
        await _harness.Store.UpsertAsync("c", [Read(TestBatches.Json("b", "completed"))], Token);

        var result = await _harness.Store.UpsertAsync("c", [Read(TestBatches.Json("b", "in_progress"))], Token);

        Assert.Equal(["b"], result.Stale);
        Assert.Empty(result.Changed);
        Assert.Equal(BatchStatusKind.Completed, (await _harness.Queries.GetAsync("b", "c", Token))!.Batch.Status.Kind);
    }

    [Fact]
    public async Task Upsert_IgnoresAnAnswerWithFewerFinishedRequests_InTheSameStatus()
    {
        await _harness.Store.UpsertAsync("c", [Read(TestBatches.Json("b", completed: 7, failed: 1))], Token);

        var result = await _harness.Store.UpsertAsync("c", [Read(TestBatches.Json("b", completed: 5, failed: 1))], Token);

        Assert.Equal(["b"], result.Stale);
        Assert.Equal(7, (await _harness.Queries.GetAsync("b", "c", Token))!.Batch.RequestCounts!.Completed);
    }

    [Fact]
    public async Task Upsert_WritesASnapshotOnlyWhenStatusOrCountsChange()
    {
        await _harness.Store.UpsertAsync("c", [Read(TestBatches.Json("b", completed: 3))], Token);
        await _harness.Store.UpsertAsync("c", [Read(TestBatches.Json("b", completed: 3, change: j => j["metadata"]!["note"] = "x"))], Token);
        await _harness.Store.UpsertAsync("c", [Read(TestBatches.Json("b", completed: 3, change: j => j["metadata"]!["note"] = "x"))], Token);
        await _harness.Store.UpsertAsync("c", [Read(TestBatches.Json("b", completed: 6, change: j => j["metadata"]!["note"] = "x"))], Token);
        await _harness.Store.UpsertAsync("c", [Read(TestBatches.Json("b", "completed", change: j => j["metadata"]!["note"] = "x"))], Token);

        var history = await _harness.Queries.GetHistoryAsync("c", "b", Token);

        Assert.Equal([3, 6, 9], history.Select(p => p.Completed!.Value));
        Assert.Equal("x", (await _harness.Queries.GetAsync("b", "c", Token))!.Batch.Metadata["note"]);
    }

    [Fact]
    public async Task Upsert_ReportsNothing_WhenTheAnswerIsUnchanged()
    {
        await _harness.Store.UpsertAsync("c", [Read(TestBatches.Json("b"))], Token);

        var result = await _harness.Store.UpsertAsync("c", [Read(TestBatches.Json("b"))], Token);

        Assert.Empty(result.Changed);
        Assert.Empty(result.Stale);
    }

    [Fact]
    public async Task Upsert_KeepsTheSameIdInTwoConnectionsApart()
    {
        await _harness.Store.UpsertAsync("one", [Read(TestBatches.Json("b", "completed"))], Token);
        await _harness.Store.UpsertAsync("two", [Read(TestBatches.Json("b", "failed"))], Token);

        Assert.Equal(BatchStatusKind.Completed, (await _harness.Queries.GetAsync("b", "one", Token))!.Batch.Status.Kind);
        Assert.Equal(BatchStatusKind.Failed, (await _harness.Queries.GetAsync("b", "two", Token))!.Batch.Status.Kind);
    }

    [Fact]
    public async Task RawJson_IsKept_SoFieldsAddedLaterCanBeReadBack()
    {
        var json = TestBatches.Json("b", change: j => j["priority"] = "high");
        await _harness.Store.UpsertAsync("c", [Read(json)], Token);

        var cached = (await _harness.Queries.GetAsync("b", "c", Token))!.Batch;

        Assert.Equal(json, cached.RawJson);
        Assert.Equal("\"high\"", cached.ExtraFields["priority"]);
    }
}

/// <summary>Every store test again, on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BatchStoreOnPostgresTests(PostgresServer postgres) : BatchStoreTests
{
    protected override Task<CoreHarness> StartHarnessAsync() => CoreHarness.StartAsync(postgres);
}
