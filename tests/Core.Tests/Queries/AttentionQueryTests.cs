using System.Text.Json.Nodes;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BatchDashboard.Core.Tests.Queries;

/// <summary>
/// The "needs attention" filter and count, answered in SQL, agree with <see cref="BatchAttention.Needs"/> on the
/// flags a page shows: for random batches in every state, at several moments, under two failure-rate settings.
/// </summary>
public class AttentionQueryTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>The SQLite cache; the PostgreSQL subclass runs every test again on PostgreSQL.</summary>
    protected virtual Task<CoreHarness> StartHarnessAsync(Dictionary<string, string?> settings, TimeProvider time) => CoreHarness.StartAsync(settings, time);

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.25)]
    public async Task NeedsAttention_InSql_IsWhatThePagesFlag_AsTimePasses(double failureRate)
    {
        var clock = new FakeTimeProvider(Now);
        await using var harness = await StartHarnessAsync(
            new() { ["BatchDashboard:Flags:FailureRate"] = failureRate.ToString(System.Globalization.CultureInfo.InvariantCulture) }, clock);
        var batches = RandomBatches(new Random(20261205), 300);
        await harness.Store.UpsertAsync("main", batches, Token);
        var options = BatchInsightOptions.Default with { FailureRate = failureRate };

        // Now, then as phases grow long and windows near their end, then once every window has passed.
        foreach (var later in new[] { TimeSpan.Zero, TimeSpan.FromMinutes(50), TimeSpan.FromHours(3), TimeSpan.FromHours(30) })
        {
            clock.SetUtcNow(Now + later);
            await AssertAgreesAsync(harness, batches, options, clock.GetUtcNow());
        }
    }

    [Fact]
    public async Task NeedsAttentionMigration_FillsItsColumns_ForBatchesCachedBefore()
    {
        var clock = new FakeTimeProvider(Now);
        await using var harness = await StartHarnessAsync([], clock);
        var batches = RandomBatches(new Random(7), 200);
        await harness.Store.UpsertAsync("main", batches, Token);

        // Back to the schema before, and up again as an upgrade would: the columns filled from what was cached.
        await harness.MigrateToAsync("FilterOrderIndexes");
        await harness.MigrateToAsync(null);
        Assert.True(await harness.ScalarAsync("SELECT COUNT(*) FROM batches WHERE is_terminal = " + (harness.OnPostgres ? "FALSE" : "0") + " AND phase IS NULL") > 0);
        await harness.Services.GetRequiredService<IBatchCacheDatabase>().MigrateAsync(Token);

        await AssertAgreesAsync(harness, batches, BatchInsightOptions.Default, Now);
    }

    [Fact]
    public async Task NeedsAttention_CombinesWithTheOtherFilters_AndCountsStatusesWithinIt()
    {
        var clock = new FakeTimeProvider(Now);
        await using var harness = await StartHarnessAsync([], clock);
        var created = Now.ToUnixTimeSeconds();
        await harness.Store.UpsertAsync("main",
        [
            Read(TestBatches.Json("batch_ok", "completed", created: created - 3_600, total: 10, failed: 0)),
            Read(TestBatches.Json("batch_failing", "in_progress", created: created - 600, total: 100, completed: 10, failed: 30)),
            Read(TestBatches.Json("batch_failed", "failed", created: created - 500, total: 0, failed: 0, change: j => j["endpoint"] = "/v1/embeddings")),
            Read(TestBatches.Json("batch_expired", "expired", created: created - 90_000, total: 10, failed: 0, change: j => j["request_counts"]!["completed"] = 4)),
        ], Token);

        var summary = await harness.Queries.SummarizeAsync(new() { NeedsAttention = true }, Token);
        Assert.Equal(2, summary.NeedsAttention);
        Assert.Equal(2, summary.Total);
        Assert.Equal(1, summary.CountsByStatus["in_progress"]);
        Assert.Equal(1, summary.CountsByStatus["failed"]);
        // The whole list's count is the same, whichever statuses are chosen; an expired batch's unrun requests are no alarm.
        Assert.Equal(2, (await harness.Queries.SummarizeAsync(new() { Statuses = [BatchStatusKind.Completed] }, Token)).NeedsAttention);

        var embeddings = await harness.Queries.ListAsync(new() { Filter = new() { NeedsAttention = true, Endpoint = "/v1/embeddings" } }, Token);
        Assert.Equal(["batch_failed"], embeddings.Items.Select(i => i.Batch.Id));
    }

    private static async Task AssertAgreesAsync(CoreHarness harness, IReadOnlyList<Batch> batches, BatchInsightOptions options, DateTimeOffset now)
    {
        var expected = batches.Where(b => BatchAttention.Needs(b, BatchInsights.Of(b, now, options))).Select(b => b.Id).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        Assert.NotEqual(batches.Count, expected.Count);

        var page = await harness.Queries.ListAsync(new() { Filter = new() { NeedsAttention = true }, PageSize = 500 }, Token);
        Assert.Equal(expected, page.Items.Select(i => i.Batch.Id).Order(StringComparer.Ordinal));
        Assert.Equal(expected.Count, (await harness.Queries.SummarizeAsync(new(), Token)).NeedsAttention);
    }

    /// <summary>Batches in every status, at every stage of their lives around <see cref="Now"/>, with counts that add up or not.</summary>
    internal static List<Batch> RandomBatches(Random random, int count)
    {
        string[] statuses = ["validating", "in_progress", "finalizing", "cancelling", "completed", "failed", "expired", "cancelled", "paused_by_provider"];
        var now = Now.ToUnixTimeSeconds();
        var batches = new List<Batch>(count);
        for (var i = 0; i < count; i++)
        {
            var status = statuses[random.Next(statuses.Length)];
            var created = now - random.Next(0, 48 * 3_600);
            var started = created + random.Next(0, 3 * 3_600);
            var total = random.Next(0, 4) == 0 ? 0 : random.Next(1, 200);
            var failed = random.Next(0, 3) == 0 ? 0 : random.Next(0, Math.Max(1, total / 3));
            var completed = random.Next(0, Math.Max(1, total - failed + (random.Next(0, 10) == 0 ? 5 : 1)));
            var json = TestBatches.Json($"batch_{i:D4}", status, created: created, total: total, completed: completed, failed: failed, change: j =>
            {
                j["request_counts"] = random.Next(0, 12) == 0 ? null : new JsonObject { ["total"] = total, ["completed"] = completed, ["failed"] = failed };
                j["in_progress_at"] = status == "validating" || random.Next(0, 10) == 0 ? null : started;
                j["expires_at"] = random.Next(0, 10) == 0 ? null : created + 86_400;
                j["finalizing_at"] = status is "finalizing" or "completed" ? started + random.Next(0, 7_200) : null;
                j["cancelling_at"] = status is "cancelling" or "cancelled" ? started + random.Next(0, 3_600) : null;
                var ended = started + random.Next(7_200, 30_000);
                j["completed_at"] = status == "completed" ? ended : null;
                j["failed_at"] = status == "failed" ? ended : null;
                j["expired_at"] = status == "expired" ? ended : null;
                j["cancelled_at"] = status == "cancelled" ? ended : null;
                j["output_file_id"] = status == "completed" && random.Next(0, 6) > 0 ? $"file-output{i}" : null;
            });
            batches.Add(Read(json));
        }

        return batches;
    }

    private static Batch Read(string json) => BatchReader.Read(json).Batch!;
}

/// <summary>Every attention test again, on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AttentionQueryOnPostgresTests(PostgresServer postgres) : AttentionQueryTests
{
    protected override Task<CoreHarness> StartHarnessAsync(Dictionary<string, string?> settings, TimeProvider time) =>
        CoreHarness.StartAsync(postgres, settings, time);
}
