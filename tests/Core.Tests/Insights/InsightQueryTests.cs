using System.Text.Json.Nodes;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Insights;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Core.Tests.Insights;

/// <summary>The insights report over a few batches whose every figure is worked out by hand.</summary>
public class InsightQueryTests
{
    private const long Day1 = TestBatches.Created; // 2025-10-27, 19:16 UTC
    private static readonly DateOnly Date1 = new(2025, 10, 27);

    protected virtual Task<CoreHarness> StartHarnessAsync() => CoreHarness.StartAsync();

    private static Batch Completed(string id, long created, int turnaroundSeconds, string? team, string model = "gpt-4o-mini-2024-07-18", int total = 100,
        int failed = 0) =>
        Read(TestBatches.Json(id, "completed", created, total: total, failed: failed, change: json =>
        {
            json["model"] = model;
            json["in_progress_at"] = created + 60;
            json["finalizing_at"] = created + turnaroundSeconds - 600;
            json["completed_at"] = created + turnaroundSeconds;
            json["usage"] = Usage(1_000_000, 200_000, 500_000);
            json["metadata"] = team is null ? new JsonObject() : new JsonObject { ["team"] = team };
        }));

    private static JsonObject Usage(long input, long cached, long output) => new()
    {
        ["input_tokens"] = input,
        ["output_tokens"] = output,
        ["total_tokens"] = input + output,
        ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = cached },
    };

    private static Batch Read(string json) => BatchReader.Read(json).Batch!;

    private static async Task<(CoreHarness Harness, IInsightQueries Queries)> SeedAsync(CoreHarness harness)
    {
        var ct = TestContext.Current.CancellationToken;
        await harness.Services.GetRequiredService<InsightRollups>().RecountAsync("default", ct);
        await harness.Store.UpsertAsync("default",
        [
            Completed("batch_a", Day1, 3_600, "search"),
            Completed("batch_b", Day1 + 60, 7_200, "ads"),
            Completed("batch_c", Day1 + 120, 10_800, null, failed: 20),
            Completed("batch_d", Day1 + 86_400, 1_800, "search", model: "text-embedding-3-small", total: 20_000),
            // Expired with 50 of 100 never run; 40 completed on 4,000 input tokens: 100 a request, so 5,000 unrun.
            Read(TestBatches.Json("batch_e", "expired", Day1 + 180, total: 100, change: json =>
            {
                json["request_counts"] = new JsonObject { ["total"] = 100, ["completed"] = 40, ["failed"] = 10 };
                json["expired_at"] = Day1 + 90_000;
                json["usage"] = Usage(4_000, 0, 1_000);
                json["metadata"] = new JsonObject { ["team"] = "ads" };
            })),
            Read(TestBatches.Json("batch_f", "in_progress", Day1 + 240)),
        ], ct);
        return (harness, harness.Services.GetRequiredService<IInsightQueries>());
    }

    [Fact]
    public async Task Report_CountsBatchesAndRequests_PerDayAndFinalStatus()
    {
        await using var harness = await StartHarnessAsync();
        var (_, queries) = await SeedAsync(harness);

        var report = await queries.GetReportAsync(new InsightFilter(Date1, Date1.AddDays(1)), TestContext.Current.CancellationToken);

        Assert.Equal(
        [
            new VolumeRow(Date1, "completed", 3, 300, 280, 20, 0),
            new VolumeRow(Date1, "expired", 1, 100, 40, 10, 50),
            new VolumeRow(Date1, "running", 1, 10, 0, 0, 0),
            new VolumeRow(Date1.AddDays(1), "completed", 1, 20_000, 20_000, 0, 0),
        ], report.Volume);
        Assert.Equal(new FailureRow(Date1, 320, 30), report.Failures[0]);
        Assert.Equal(30 / 350.0, report.Failures[0].FailedShare!.Value, 6);
        Assert.Equal(["project", "run", "team"], report.MetadataKeys);
    }

    [Fact]
    public async Task Report_TurnaroundPercentiles_ByModelEndpointAndSize_MatchTheDirectComputation()
    {
        await using var harness = await StartHarnessAsync();
        var (_, queries) = await SeedAsync(harness);

        var report = await queries.GetReportAsync(new InsightFilter(Date1, Date1.AddDays(1)), TestContext.Current.CancellationToken);

        var mini = report.Durations.Single(d => d.Dimension == "model" && d.Group == "gpt-4o-mini-2024-07-18");
        Assert.Equal(3, mini.Turnaround.Count);
        AssertNear(TimeSpan.FromHours(2), mini.Turnaround.P50); // nearest rank of 1 h, 2 h, 3 h
        AssertNear(TimeSpan.FromHours(3), mini.Turnaround.P90);
        AssertNear(TimeSpan.FromMinutes(10), mini.Finalizing.P50);
        AssertNear(TimeSpan.FromMinutes(1), mini.Validating.P99);
        var chat = report.Durations.Single(d => d.Dimension == "endpoint" && d.Group == "/v1/chat/completions");
        Assert.Equal(4, chat.Turnaround.Count);
        AssertNear(TimeSpan.FromHours(1), chat.Turnaround.P50); // 30 min, 1 h, 2 h, 3 h
        var large = report.Durations.Single(d => d.Dimension == "size" && d.Group == "4");
        Assert.Equal("10,000–49,999 requests", large.Label);
        AssertNear(TimeSpan.FromMinutes(30), large.Turnaround.P50);
        Assert.Equal([Date1, Date1.AddDays(1)], report.PhaseTrend.Select(t => t.Day));
    }

    [Fact]
    public async Task Report_SpendAtBatchPrices_ByModelAndByAMetadataKey_WithTheBatchesWithoutIt()
    {
        await using var harness = await StartHarnessAsync();
        var (_, queries) = await SeedAsync(harness);
        var ct = TestContext.Current.CancellationToken;

        var report = await queries.GetReportAsync(new InsightFilter(Date1, Date1) { GroupBy = "team" }, ct);

        // gpt-4o-mini at $0.15 input, $0.075 cached, $0.60 output per million, half off: each completed batch
        // (800,000 uncached, 200,000 cached, 500,000 out) costs (0.12 + 0.015 + 0.30) / 2 = $0.2175; the expired one
        // (4,000 in, 1,000 out) $0.0006.
        var spend = Assert.Single(report.Spend);
        Assert.Equal(4, spend.Batches);
        Assert.Equal(3 * 0.2175m + 0.0006m, spend.Cost);
        Assert.Equal(
        [
            new GroupSpendRow("search", 1, 100, 1_000_000, 200_000, 500_000, 0.2175m, 0),
            new GroupSpendRow("ads", 2, 200, 1_004_000, 200_000, 501_000, 0.2181m, 0),
            new GroupSpendRow(null, 1, 100, 1_000_000, 200_000, 500_000, 0.2175m, 0),
        ], report.Groups.OrderBy(g => g.Value is null).ThenBy(g => g.Value == "ads"));

        var filtered = await queries.GetReportAsync(new InsightFilter(Date1, Date1) { MetadataKey = "project", GroupBy = "team" }, ct);
        Assert.Empty(filtered.Groups);
        Assert.Contains("only without a filter on another metadata key", filtered.GroupProblem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_Waste_PricesTheUnrunRequestsInputs()
    {
        await using var harness = await StartHarnessAsync();
        var (_, queries) = await SeedAsync(harness);

        var report = await queries.GetReportAsync(new InsightFilter(Date1, Date1), TestContext.Current.CancellationToken);

        var waste = Assert.Single(report.Waste);
        Assert.Equal(("expired", 1L, 50L, 5_000L, 0L), (waste.Status, waste.Batches, waste.Unrun, waste.UnrunInputTokens, waste.UnknownBatches));
        Assert.Equal(5_000 * 0.15m / 1_000_000m / 2, waste.Cost);
        Assert.Equal(0.0006m, waste.PaidCost); // the 4,000 input and 1,000 output tokens its 40 completed requests used
    }

    [Fact]
    public async Task Report_Narrows_ByModelConnectionAndMetadata()
    {
        await using var harness = await StartHarnessAsync();
        var (_, queries) = await SeedAsync(harness);
        var ct = TestContext.Current.CancellationToken;
        var range = new InsightFilter(Date1, Date1.AddDays(1));

        Assert.Equal(1, (await queries.GetReportAsync(range with { Model = "text-embedding-3-small" }, ct)).Volume.Sum(v => v.Batches));
        Assert.Equal(2, (await queries.GetReportAsync(range with { MetadataKey = "team", MetadataValue = "search" }, ct)).Volume.Sum(v => v.Batches));
        Assert.Equal(4, (await queries.GetReportAsync(range with { MetadataKey = "team" }, ct)).Volume.Sum(v => v.Batches));
        Assert.Empty((await queries.GetReportAsync(range with { ConnectionId = "azure" }, ct)).Volume);
        Assert.Empty((await queries.GetReportAsync(new InsightFilter(Date1.AddDays(5), Date1.AddDays(9)), ct)).Volume);
    }

    [Fact]
    public async Task Report_FailuresByErrorCode_ComeFromIndexedFiles()
    {
        await using var harness = await StartHarnessAsync();
        var (_, queries) = await SeedAsync(harness);
        var ct = TestContext.Current.CancellationToken;
        var key = await harness.ScalarAsync("SELECT key FROM batches WHERE id = 'batch_c'");
        await using (var context = await harness.Services.GetRequiredService<IDbContextFactory<BatchCacheDbContext>>().CreateDbContextAsync(ct))
        {
            var flag = harness.OnPostgres ? "FALSE" : "0";
            var sql = $"""
                INSERT INTO result_files (batch_key, kind, file_id, state, bytes_read, lines, malformed_lines, expired_upstream)
                VALUES ({key}, 'error', 'file-err', 'indexed', 0, 20, 0, {flag});
                INSERT INTO result_requests (batch_key, custom_id, position, outcome, error_code, input_tokens, cached_tokens, output_tokens, reasoning_tokens)
                VALUES ({key}, 'a', 1, 2, 'rate_limit_exceeded', 0, 0, 0, 0), ({key}, 'b', 2, 2, 'rate_limit_exceeded', 0, 0, 0, 0),
                       ({key}, 'c', 3, 5, NULL, 0, 0, 0, 0), ({key}, 'd', 4, 1, NULL, 0, 0, 0, 0);
                """;
            await context.Database.ExecuteSqlRawAsync(sql, ct);
        }

        await harness.Services.GetRequiredService<InsightRollups>().RecordErrorsAsync(key, ct);
        var report = await queries.GetReportAsync(new InsightFilter(Date1, Date1), ct);

        Assert.Equal([new ErrorRow(Date1, "rate_limit_exceeded", 2), new ErrorRow(Date1, "other_error", 1)], report.Errors);
        Assert.Equal((3L, 30L), (report.ErrorsCounted, report.FailedRequests));

        // The list finds the batches behind a code.
        async Task<IEnumerable<string>> ListAsync(string code) => (await harness.Queries.ListAsync(
            new BatchDashboard.Core.Queries.BatchListRequest { Filter = new() { ErrorCode = code } }, ct)).Items.Select(b => b.Batch.Id);
        Assert.Equal(["batch_c"], await ListAsync("rate_limit_exceeded"));
        Assert.Equal(["batch_c"], await ListAsync("other_error"));
        Assert.Empty(await ListAsync("server_error"));
    }

    [Fact]
    public async Task Similar_SaysHowLikeBatchesWent_FallingBackToEverySize()
    {
        await using var harness = await StartHarnessAsync();
        var clock = harness.Services.GetRequiredService<TimeProvider>();
        var (_, queries) = await SeedAsync(harness);
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var ct = TestContext.Current.CancellationToken;
        await harness.Store.UpsertAsync("default",
            [.. Enumerable.Range(0, 6).Select(i => Completed($"recent_{i}", now - 86_400 - (i * 600), 3_600 + (i * 600), "search"))], ct);
        var running = Read(TestBatches.Json("batch_new", "in_progress", now - 600, total: 100));

        var similar = await queries.GetSimilarAsync("default", running, ct);

        Assert.NotNull(similar);
        Assert.True(similar.SameSize);
        Assert.Equal(6, similar.Count);
        AssertNear(TimeSpan.FromMinutes(60), similar.Turnaround.Low);
        AssertNear(TimeSpan.FromMinutes(110), similar.Turnaround.High);
        AssertNear(TimeSpan.FromMinutes(10), similar.Finalizing.Median);

        var huge = Read(TestBatches.Json("batch_huge", "in_progress", now - 600, total: 40_000));
        var anySize = await queries.GetSimilarAsync("default", huge, ct);
        Assert.False(anySize!.SameSize);
        Assert.Null(await queries.GetSimilarAsync("default", Read(TestBatches.Json("batch_o3", "in_progress", now, change: j => j["model"] = "o3")), ct));
    }

    private static void AssertNear(TimeSpan expected, TimeSpan? actual)
    {
        Assert.NotNull(actual);
        Assert.InRange(actual.Value.TotalSeconds, (expected.TotalSeconds / 1.011) - 1, (expected.TotalSeconds * 1.011) + 1);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class InsightQueryOnPostgresTests(PostgresServer postgres) : InsightQueryTests
{
    protected override Task<CoreHarness> StartHarnessAsync() => CoreHarness.StartAsync(postgres);
}
