using System.Text.Json;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Core.Tests.Batches;

/// <summary>Ten thousand damaged batch objects and a thousand damaged list pages: read or refused with a reason, never thrown.</summary>
public sealed class MutationTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(TestBatches.Created).AddHours(3);
    private CoreHarness _harness = default!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _harness = await CoreHarness.StartAsync();

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    private static IEnumerable<string> Seeds() =>
        SharedFixtures.Folder is null ? BatchMutator.Seeds : BatchMutator.Seeds.Concat(SharedFixtures.BatchObjects());

    [Fact]
    public async Task TenThousandDamagedBatches_AreReadOrRefusedWithAReason_AndWhatIsReadIsStoredListedAndDerived()
    {
        var random = new Random(20261201);
        var seeds = Seeds().ToList();
        var read = new List<Batch>();
        var refused = 0;
        for (var i = 0; i < 10_000; i++)
        {
            // Each its own id first (the damage may then reach it).
            var seed = System.Text.Json.Nodes.JsonNode.Parse(seeds[i % seeds.Count])!.AsObject();
            seed["id"] = $"batch_m{i:D5}";
            var json = BatchMutator.Mutate(seed.ToJsonString(), random);

            var result = BatchReader.Read(json);

            if (result.Batch is { } batch)
            {
                // Everything the pages derive from a batch holds for any batch that was read.
                var insights = BatchInsights.Of(batch, Now);
                _ = ProgressProjection.Of(batch, insights, [new(Now.AddMinutes(-20), batch.Status.Name, batch.RequestCounts?.Total, batch.RequestCounts?.Completed, batch.RequestCounts?.Failed)], Now);
                read.Add(batch);
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(result.Error), json);
                refused++;
            }
        }

        // A damaged id can repeat another: the cache holds one batch per id.
        read = [.. read.DistinctBy(b => b.Id)];
        foreach (var page in read.Chunk(100))
        {
            await _harness.Store.UpsertAsync("main", page, Token);
        }

        var listed = 0;
        foreach (var sort in Enum.GetValues<BatchSortField>())
        {
            var before = listed;
            string? cursor = null;
            do
            {
                var page = await _harness.Queries.ListAsync(new BatchListRequest { Sort = new BatchSort(sort), PageSize = 500, Cursor = cursor }, Token);
                listed += page.Items.Count;
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            Assert.True(listed - before == read.Count, $"sorted by {sort}: {listed - before} of {read.Count} listed");
        }

        var summary = await _harness.Queries.SummarizeAsync(new BatchFilter(), Token);
        Assert.True(refused > 300, $"{refused} refused: the mutations should reach the id and the syntax");
        Assert.True(read.Count > 8_000, $"{read.Count} read");
        Assert.Equal(read.Count, summary.Total);
        Assert.Equal(read.Count * Enum.GetValues<BatchSortField>().Length, listed);
    }

    [Fact]
    public void AThousandDamagedListPages_AreReadItemByItem_OrRefusedWhole_WithAJsonError()
    {
        var random = new Random(7);
        var seeds = Seeds().ToList();
        var rejectedWithIds = 0;
        for (var i = 0; i < 1_000; i++)
        {
            var items = Enumerable.Range(0, random.Next(0, 8)).Select(_ => BatchMutator.Mutate(seeds[random.Next(seeds.Count)], random)).ToList();
            var text = BatchMutator.Page(items, random.NextDouble() < 0.5, random.NextDouble() < 0.7 ? "batch_last" : null, random);

            try
            {
                using var document = JsonDocument.Parse(text);
                var page = ApiJson.ReadBatchPage(document.RootElement, 100);
                Assert.True(page.Batches.Count + page.Rejected.Count >= items.Count - items.Count(t => !IsJson(t)));
                rejectedWithIds += page.Rejected.Count(r => r.Id is not null);
            }
            catch (JsonException)
            {
                // A page that is not JSON, or not a list: refused whole, as the client reports it (a typed API error).
            }
        }

        Assert.True(rejectedWithIds > 0, "refused items name their id when they have one");
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
