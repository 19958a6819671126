using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Core.Tests.Queries;

public class BatchQueriesTests : IAsyncLifetime
{
    /// <summary>The SQLite cache; the PostgreSQL subclass runs every test again on PostgreSQL.</summary>
    protected virtual Task<CoreHarness> StartHarnessAsync() => CoreHarness.StartAsync();

    private CoreHarness _harness = default!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _harness = await StartHarnessAsync();
        var batches = new List<Batch>
        {
            Read(TestBatches.Json("batch_a", "completed", created: 1_000, total: 10, failed: 0)),
            Read(TestBatches.Json("batch_b", "failed", created: 2_000, total: 0, failed: 0, change: j => j["endpoint"] = "/v1/embeddings")),
            Read(TestBatches.Json("batch_c", "in_progress", created: 3_000, total: 100, completed: 20, failed: 5, change: j => j["model"] = "gpt-4.1")),
            Read(TestBatches.Json("batch_d", "in_progress", created: 4_000, total: 50, completed: 50, failed: 0,
                change: j => j["metadata"] = System.Text.Json.Nodes.JsonNode.Parse("""{"team":"search","run":"nightly-7"}"""))),
            Read(TestBatches.Json("batch_e", "expired", created: 5_000, total: 8, failed: 3, change: j => j["input_file_id"] = "file-XYZ")),
        };
        await _harness.Store.UpsertAsync("main", batches, Token);
        await _harness.Store.UpsertAsync("other", [Read(TestBatches.Json("batch_z", "completed", created: 4_500))], Token);
    }

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    private static Batch Read(string json) => BatchReader.Read(json).Batch!;

    private async Task<List<string>> IdsAsync(BatchFilter filter, BatchSort? sort = null) =>
        [.. (await _harness.Queries.ListAsync(new BatchListRequest { Filter = filter, Sort = sort ?? new() }, Token)).Items.Select(i => i.Batch.Id)];

    [Fact]
    public async Task Get_AndHistory_AreReadAgain_OnceTheBatchChanges()
    {
        var before = await _harness.Queries.GetAsync("batch_c", "main", Token);
        var historyBefore = await _harness.Queries.GetHistoryAsync("main", "batch_c", Token);
        Assert.Same(before, await _harness.Queries.GetAsync("batch_c", "main", Token)); // kept while nothing changed

        await _harness.Store.UpsertAsync("main", [Read(TestBatches.Json("batch_c", "finalizing", created: 3_000, total: 100, completed: 95, failed: 5,
            change: j => j["model"] = "gpt-4.1"))], Token);

        var after = await _harness.Queries.GetAsync("batch_c", "main", Token);
        Assert.Equal(BatchStatusKind.Finalizing, after!.Batch.Status.Kind);
        Assert.Equal(historyBefore.Count + 1, (await _harness.Queries.GetHistoryAsync("main", "batch_c", Token)).Count);
        Assert.Null(await _harness.Queries.GetAsync("batch_c", "other", Token));
    }

    [Fact]
    public async Task List_IsNewestFirst_ByDefault()
    {
        Assert.Equal(["batch_e", "batch_z", "batch_d", "batch_c", "batch_b", "batch_a"], await IdsAsync(new()));
    }

    [Fact]
    public async Task List_FiltersBySeveralStatuses()
    {
        Assert.Equal(["batch_e", "batch_b"], await IdsAsync(new() { Statuses = [BatchStatusKind.Failed, BatchStatusKind.Expired] }));
    }

    [Fact]
    public async Task List_FiltersByEndpointModelConnectionAndCreatedRange()
    {
        Assert.Equal(["batch_b"], await IdsAsync(new() { Endpoint = "/v1/embeddings" }));
        Assert.Equal(["batch_c"], await IdsAsync(new() { Model = "gpt-4.1" }));
        Assert.Equal(["batch_z"], await IdsAsync(new() { ConnectionId = "other" }));
        Assert.Equal(["batch_c", "batch_b"], await IdsAsync(new()
        {
            CreatedFrom = DateTimeOffset.FromUnixTimeSeconds(2_000),
            CreatedTo = DateTimeOffset.FromUnixTimeSeconds(4_000),
        }));
    }

    [Fact]
    public async Task List_FiltersByMetadataKeyAndValue()
    {
        Assert.Equal(["batch_d"], await IdsAsync(new() { MetadataKey = "team", MetadataValue = "search" }));
        Assert.Equal(["batch_d"], await IdsAsync(new() { MetadataKey = "team" }));
        Assert.Equal(6, (await IdsAsync(new() { MetadataKey = "run" })).Count);
        Assert.Empty(await IdsAsync(new() { MetadataKey = "team", MetadataValue = "ads" }));
    }

    [Theory]
    [InlineData("BATCH_C", "batch_c")]
    [InlineData("file-xyz", "batch_e")]
    [InlineData("nightly-7", "batch_d")]
    [InlineData("team=search", "batch_d")]
    public async Task List_FindsFreeTextInIdsFileIdsAndMetadata(string text, string expected)
    {
        Assert.Equal([expected], await IdsAsync(new() { Text = text }));
    }

    [Theory]
    [InlineData("BATCH_C", "batch_c")]
    [InlineData("file-xyz", "batch_e")]
    [InlineData("nightly-7", "batch_d")]
    [InlineData("team=search", "batch_d")]
    public async Task List_FindsTheSameText_ThroughTheSearchIndex_OnceBuilt(string text, string expected)
    {
        await _harness.Store.BuildSearchIndexAsync("main", Token);
        await _harness.Store.BuildSearchIndexAsync("other", Token);

        Assert.Equal([expected], await IdsAsync(new() { Text = text }));
        await AssertSearchTableHoldsAsync(6);
    }

    [Fact]
    public async Task SearchIndex_FollowsChanges_AfterItIsBuilt()
    {
        await _harness.Store.BuildSearchIndexAsync("main", Token);

        await _harness.Store.UpsertAsync("main", [Read(TestBatches.Json("batch_d", "completed", created: 4_000,
            change: j => j["metadata"] = System.Text.Json.Nodes.JsonNode.Parse("""{"team":"ads"}""")))], Token);
        await _harness.Store.UpsertAsync("main", [Read(TestBatches.Json("batch_new", created: 6_000,
            change: j => j["metadata"] = System.Text.Json.Nodes.JsonNode.Parse("""{"team":"fresh-team"}""")))], Token);

        Assert.Empty(await IdsAsync(new() { Text = "nightly-7" }));
        Assert.Equal(["batch_d"], await IdsAsync(new() { Text = "team=ads" }));
        Assert.Equal(["batch_new"], await IdsAsync(new() { Text = "fresh-team" }));
        await AssertSearchTableHoldsAsync(6);
    }

    /// <summary>SQLite's search table holds every batch; PostgreSQL has none (its trigram index is on the batches themselves).</summary>
    private async Task AssertSearchTableHoldsAsync(long batches)
    {
        if (!_harness.OnPostgres)
        {
            Assert.Equal(batches, await CountIndexedAsync());
        }
    }

    private async Task<long> CountIndexedAsync()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(_harness.Database.ConnectionString);
        await connection.OpenAsync(Token);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM batch_search";
        return (long)(await command.ExecuteScalarAsync(Token))!;
    }

    [Fact]
    public async Task List_TreatsLikeWildcardsInTextLiterally()
    {
        Assert.Empty(await IdsAsync(new() { Text = "%" }));
        Assert.Empty(await IdsAsync(new() { Text = "batch__" }));
    }

    [Fact]
    public async Task List_SortsByFailuresProgressAndDuration()
    {
        Assert.Equal("batch_c", (await IdsAsync(new(), new(BatchSortField.Failures)))[0]);
        Assert.Equal(["batch_b", "batch_c"], (await IdsAsync(new(), new(BatchSortField.Progress, Descending: false)))[..2]);
        Assert.Equal("batch_a", (await IdsAsync(new() { Statuses = [BatchStatusKind.Completed] }, new(BatchSortField.Duration, Descending: false)))[0]);
    }

    [Fact]
    public async Task List_PagesWithACursor_ThroughEveryBatchOnce()
    {
        // Many batches sharing created_at, so the cursor must break ties by id.
        await _harness.Store.UpsertAsync("main", [.. Enumerable.Range(0, 37).Select(i => Read(TestBatches.Json($"batch_tie{i:D2}", created: 3_500)))], Token);
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await _harness.Queries.ListAsync(new BatchListRequest { PageSize = 10, Cursor = cursor }, Token);
            seen.AddRange(page.Items.Select(i => i.ConnectionId + "/" + i.Batch.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(5, pages);
        Assert.Equal(43, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task List_PagesThroughSeveralStatuses_InCreatedOrder(bool descending)
    {
        var filter = new BatchFilter { Statuses = [BatchStatusKind.InProgress, BatchStatusKind.Completed, BatchStatusKind.Expired] };
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await _harness.Queries.ListAsync(new BatchListRequest { Filter = filter, Sort = new(Descending: descending), PageSize = 2, Cursor = cursor }, Token);
            seen.AddRange(page.Items.Select(i => i.Batch.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        string[] newestFirst = ["batch_e", "batch_z", "batch_d", "batch_c", "batch_a"];
        Assert.Equal(descending ? newestFirst : newestFirst.Reverse(), seen);
    }

    [Fact]
    public async Task List_StartsOver_WhenTheCursorIsGarbage()
    {
        var page = await _harness.Queries.ListAsync(new BatchListRequest { Cursor = "not-a-cursor!!" }, Token);

        Assert.Equal("batch_e", page.Items[0].Batch.Id);
    }

    [Fact]
    public async Task Summary_CountsEachStatus_RunningRequests_AndIgnoresTheStatusFilter()
    {
        var summary = await _harness.Queries.SummarizeAsync(new() { ConnectionId = "main", Statuses = [BatchStatusKind.Completed] }, Token);

        Assert.Equal(5, summary.Total);
        Assert.Equal(2, summary.CountsByStatus["in_progress"]);
        Assert.Equal(1, summary.CountsByStatus["failed"]);
        Assert.Equal(75, summary.RequestsInFlight); // batch_c: 100 - 20 - 5; batch_d: 50 - 50
    }

    [Fact]
    public async Task PagesHeaderCountsAndFilterChoices_KeptBetweenViews_FollowEveryWriteAtOnce()
    {
        var page = await _harness.Queries.ListAsync(new BatchListRequest { Filter = new() { Statuses = [BatchStatusKind.Failed] } }, Token);
        Assert.Same(page, await _harness.Queries.ListAsync(new BatchListRequest { Filter = new() { Statuses = [BatchStatusKind.Failed, BatchStatusKind.Failed] } }, Token));
        var before = await _harness.Queries.SummarizeAsync(new() { ConnectionId = "main" }, Token);
        Assert.Same(before, await _harness.Queries.SummarizeAsync(new() { ConnectionId = "main", Statuses = [BatchStatusKind.Failed] }, Token));
        var (endpoints, _) = await _harness.Queries.GetFacetsAsync(null, null, Token);

        await _harness.Store.UpsertAsync("main", [Read(TestBatches.Json("batch_n", "failed", created: 7_000, change: j => j["endpoint"] = "/v1/responses"))], Token);

        var after = await _harness.Queries.SummarizeAsync(new() { ConnectionId = "main" }, Token);
        Assert.Equal(["batch_n", .. page.Items.Select(i => i.Batch.Id)],
            (await _harness.Queries.ListAsync(new BatchListRequest { Filter = new() { Statuses = [BatchStatusKind.Failed] } }, Token)).Items.Select(i => i.Batch.Id));
        Assert.Equal(before.Total + 1, after.Total);
        Assert.Equal(before.CountsByStatus["failed"] + 1, after.CountsByStatus["failed"]);
        Assert.Equal([.. endpoints, "/v1/responses"], (await _harness.Queries.GetFacetsAsync(null, null, Token)).Endpoints.Order(StringComparer.Ordinal));
        // A read of unchanged batches is no change: what was kept stays.
        await _harness.Store.UpsertAsync("main", [Read(TestBatches.Json("batch_n", "failed", created: 7_000, change: j => j["endpoint"] = "/v1/responses"))], Token);
        Assert.Same(after, await _harness.Queries.SummarizeAsync(new() { ConnectionId = "main" }, Token));
    }

    [Fact]
    public async Task Facets_ListEndpointsAndModels()
    {
        var (endpoints, models) = await _harness.Queries.GetFacetsAsync(null, null, Token);

        Assert.Equal(["/v1/chat/completions", "/v1/embeddings"], endpoints);
        Assert.Equal(["gpt-4.1", "gpt-4o-mini-2024-07-18"], models);
    }

    [Fact]
    public async Task Facets_NarrowEachOther_AnEndpointItsModels_AModelItsEndpoints()
    {
        Assert.Equal(["gpt-4o-mini-2024-07-18"], (await _harness.Queries.GetFacetsAsync("/v1/embeddings", null, Token)).Models);
        Assert.Equal(["/v1/chat/completions"], (await _harness.Queries.GetFacetsAsync(null, "gpt-4.1", Token)).Endpoints);
        var (endpoints, models) = await _harness.Queries.GetFacetsAsync("/v1/chat/completions", "gpt-4.1", Token);
        Assert.Equal(["/v1/chat/completions"], endpoints);
        Assert.Equal(["gpt-4.1", "gpt-4o-mini-2024-07-18"], models);
        Assert.Empty((await _harness.Queries.GetFacetsAsync("/v1/moderations", null, Token)).Models);
    }

    [Fact]
    public async Task Summary_KeptByTheTriggers_EqualsACountOfEveryRow_ThroughInsertsStatusChangesAndUnknownStatuses()
    {
        // Moves and additions: one batch finishes, another is cancelled, an unknown status arrives, then is understood;
        // one batch changes model (as a provider's alias resolves) and one has neither endpoint nor model.
        await _harness.Store.UpsertAsync("main", [Read(TestBatches.Json("batch_c", "completed", created: 3_000, change: j => j["model"] = "gpt-4.1"))], Token);
        await _harness.Store.UpsertAsync("main", [Read(TestBatches.Json("batch_f", "Paused", created: 6_000)), Read(TestBatches.Json("batch_g", "PAUSED", created: 6_100))], Token);
        await _harness.Store.UpsertAsync("other", [Read(TestBatches.Json("batch_y", "cancelling", created: 4_600))], Token);
        await _harness.Store.UpsertAsync("other", [Read(TestBatches.Json("batch_y", "cancelled", created: 4_600, change: j => j["model"] = "gpt-4.1"))], Token);
        await _harness.Store.UpsertAsync("other", [Read(TestBatches.Json("batch_x", "completed", created: 4_700, change: j =>
        {
            j.Remove("endpoint");
            j.Remove("model");
        }))], Token);

        await AssertKeptCountsEqualTheRowsAsync();

        var all = await _harness.Queries.SummarizeAsync(new(), Token);
        Assert.Equal(10, all.Total);
        Assert.Equal(4, all.CountsByStatus["completed"]); // batch_a, batch_c (main), batch_z and batch_x (other)
        Assert.Equal(1, all.CountsByStatus["Paused"]);
        Assert.Equal(1, all.CountsByStatus["PAUSED"]);
        Assert.Equal(1, all.CountsByStatus["cancelled"]);
        Assert.False(all.CountsByStatus.ContainsKey("cancelling"));
        Assert.Equal(2, (await _harness.Queries.SummarizeAsync(new() { Model = "gpt-4.1" }, Token)).Total);
        // A batch without endpoint or model is counted, and offers no choice.
        var (endpoints, models) = await _harness.Queries.GetFacetsAsync(null, null, Token);
        Assert.Equal(["/v1/chat/completions", "/v1/embeddings"], endpoints);
        Assert.Equal(["gpt-4.1", "gpt-4o-mini-2024-07-18"], models);
    }

    [Fact]
    public async Task FacetCountsMigration_CarriesCountsAndMetadataOver_AndBack()
    {
        var before = await _harness.Queries.SummarizeAsync(new() { Endpoint = "/v1/embeddings" }, Token);
        var tagged = await IdsAsync(new() { MetadataKey = "team", MetadataValue = "search" });
        var pairs = await _harness.ScalarAsync("SELECT COUNT(*) FROM batch_metadata");

        // Back to the migration before: the counts by connection and status, metadata in a table with a rowid.
        await _harness.MigrateToAsync("HeadMark");
        Assert.Equal(6, await _harness.ScalarAsync("SELECT SUM(count) FROM batch_status_counts"));
        Assert.Equal(pairs, await _harness.ScalarAsync("SELECT COUNT(*) FROM batch_metadata"));
        // (The store writes the latest schema's columns: the old schema's triggers see a plain update.)
        await _harness.ScalarAsync("UPDATE batches SET status = 'completed' WHERE id = 'batch_c'");
        Assert.Equal(1, await _harness.ScalarAsync("SELECT count FROM batch_status_counts WHERE connection_id = 'main' AND name = 'in_progress'"));

        // And up again: every batch counted by its endpoint and model, the metadata filter as it was.
        await _harness.MigrateToAsync(null);
        Assert.Equal(6, await _harness.ScalarAsync("SELECT SUM(count) FROM batch_counts"));
        Assert.Equal(pairs, await _harness.ScalarAsync("SELECT COUNT(*) FROM batch_metadata"));
        Assert.Equal(before.CountsByStatus, (await _harness.Queries.SummarizeAsync(new() { Endpoint = "/v1/embeddings" }, Token)).CountsByStatus);
        Assert.Equal(tagged, await IdsAsync(new() { MetadataKey = "team", MetadataValue = "search" }));
        await AssertKeptCountsEqualTheRowsAsync();
    }

    /// <summary>Under every connection, endpoint and model, the counts the triggers keep equal a count of the rows.</summary>
    private async Task AssertKeptCountsEqualTheRowsAsync()
    {
        foreach (var connection in new string?[] { null, "main", "other" })
        {
            foreach (var endpoint in new string?[] { null, "/v1/chat/completions", "/v1/embeddings", "/v1/none" })
            {
                foreach (var model in new string?[] { null, "gpt-4.1", "gpt-4o-mini-2024-07-18" })
                {
                    var filter = new BatchFilter { ConnectionId = connection, Endpoint = endpoint, Model = model };
                    var kept = await _harness.Queries.SummarizeAsync(filter, Token);
                    // Any created range sends the counts to the rows themselves.
                    var scanned = await _harness.Queries.SummarizeAsync(filter with { CreatedFrom = DateTimeOffset.FromUnixTimeSeconds(0) }, Token);

                    Assert.Equal(scanned.Total, kept.Total);
                    Assert.Equal(scanned.CountsByStatus.OrderBy(c => c.Key), kept.CountsByStatus.OrderBy(c => c.Key));
                }
            }
        }
    }

    [Fact]
    public async Task Get_FindsABatchInAnyConnection_OrInTheOneNamed()
    {
        Assert.Equal("main", (await _harness.Queries.GetAsync("batch_c", null, Token))!.ConnectionId);
        Assert.Equal("other", (await _harness.Queries.GetAsync("batch_z", "other", Token))!.ConnectionId);
        Assert.Null(await _harness.Queries.GetAsync("batch_z", "main", Token));
        Assert.Null(await _harness.Queries.GetAsync("batch_nope", null, Token));
    }
}

/// <summary>Every query test again, on PostgreSQL: the same answers from the other dialect.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BatchQueriesOnPostgresTests(PostgresServer postgres) : BatchQueriesTests
{
    protected override Task<CoreHarness> StartHarnessAsync() => CoreHarness.StartAsync(postgres);
}
