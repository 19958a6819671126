using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BatchDashboard.Core;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Queries;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Benchmarks;

/// <summary>Parse and import throughput, and list-query latency, over a real SQLite file.</summary>
internal static class CoreBenchmarks
{
    public static async Task<string> RunAsync(int count)
    {
        var folder = Directory.CreateTempSubdirectory("batch-dashboard-bench-").FullName;
        try
        {
            await using var services = await OpenCacheAsync(Path.Combine(folder, "bench.db"));
            var store = services.GetRequiredService<BatchStore>();
            var queries = services.GetRequiredService<IBatchQueries>();

            var newest = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var json = SyntheticBatches.Create(count, newest);

            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture, $"Batches: {count:N0}");
            report.AppendLine();
            report.AppendLine("| measurement | result | target |");
            report.AppendLine("| --- | --- | --- |");

            // Parse: the tolerant reader over every batch.
            var watch = Stopwatch.StartNew();
            var parsed = new List<Batch>(count);
            foreach (var item in json)
            {
                parsed.Add(BatchReader.Read(item).Batch!);
            }

            watch.Stop();
            report.AppendLine(CultureInfo.InvariantCulture, $"| parse batch JSON | {count / watch.Elapsed.TotalSeconds:N0} batches/s | |");

            // Import: as the first import stores them, one transaction per page of 100, into an empty cache.
            await store.StartFirstImportAsync(CancellationToken.None);
            watch.Restart();
            foreach (var page in parsed.Chunk(100))
            {
                await store.UpsertAsync("bench", page, CancellationToken.None);
            }

            watch.Stop();
            report.AppendLine(CultureInfo.InvariantCulture, $"| import into SQLite (pages of 100, new batches) | {count / watch.Elapsed.TotalSeconds:N0} batches/s | ≥ 20,000 batches/s |");

            // What the first import leaves to its end, one pass each: the free-text index, the sort index, statistics.
            watch.Restart();
            await store.BuildSearchIndexAsync("bench", CancellationToken.None);
            var searchIndex = watch.Elapsed;
            await store.FinishFirstImportAsync("bench", CancellationToken.None);
            watch.Stop();
            report.AppendLine(CultureInfo.InvariantCulture, $"| free-text index built after the import (one pass) | {searchIndex.TotalSeconds:0.0} s for {count:N0} batches | |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| the insights' rollups counted, deferred indexes (failures sort, endpoint and model order) and planner statistics, after the import | {(watch.Elapsed - searchIndex).TotalSeconds:0.00} s for {count:N0} batches | |");

            // Re-import of unchanged pages: what a steady-state cycle costs per batch read.
            watch.Restart();
            foreach (var page in parsed.Take(10_000).Chunk(100))
            {
                await store.UpsertAsync("bench", page, CancellationToken.None);
            }

            watch.Stop();
            report.AppendLine(CultureInfo.InvariantCulture, $"| re-read of unchanged batches (pages of 100) | {10_000 / watch.Elapsed.TotalSeconds:N0} batches/s | |");

            var cases = new (string Name, BatchListRequest Request)[]
            {
                ("newest 50, no filter", new BatchListRequest()),
                ("status = failed", new BatchListRequest { Filter = new() { Statuses = [BatchStatusKind.Failed] } }),
                ("status in (in_progress, finalizing, validating)", new BatchListRequest
                    { Filter = new() { Statuses = [BatchStatusKind.InProgress, BatchStatusKind.Finalizing, BatchStatusKind.Validating] } }),
                ("endpoint that no batch has", new BatchListRequest { Filter = new() { Endpoint = "/v1/audio/speech" } }),
                ("endpoint = /v1/embeddings and status = completed", new BatchListRequest
                    { Filter = new() { Endpoint = "/v1/embeddings", Statuses = [BatchStatusKind.Completed] } }),
                ("metadata team = research", new BatchListRequest { Filter = new() { MetadataKey = "team", MetadataValue = "research" } }),
                ("metadata pair that no batch has (a batch's retries)", new BatchListRequest { Filter = new() { MetadataKey = "retry_of", MetadataValue = "batch_none" } }),
                ("created in one day", new BatchListRequest
                    { Filter = new() { CreatedFrom = DateTimeOffset.FromUnixTimeSeconds(newest - 10 * 86_400), CreatedTo = DateTimeOffset.FromUnixTimeSeconds(newest - 9 * 86_400) } }),
                ("free text (a metadata value)", new BatchListRequest { Filter = new() { Text = "run-1234" } }),
                ("free text (part of a file id)", new BatchListRequest { Filter = new() { Text = json[777][json[777].IndexOf("file-", StringComparison.Ordinal)..][..14] } }),
                ("sort by failures", new BatchListRequest { Sort = new(BatchSortField.Failures) }),
            };

            // Pages, header counts and filter choices are kept until the batches change: each timed read here
            // follows a change (the generation moved), so it measures the database's work; a view that reuses what
            // was kept is timed at the end.
            var generation = services.GetRequiredService<CacheGeneration>();
            foreach (var (name, request) in cases)
            {
                var (median, p99) = await TimeAsync(() => { generation.Advance(); return queries.ListAsync(request, CancellationToken.None); });
                report.AppendLine(CultureInfo.InvariantCulture, $"| page of 50, {name} | median {median:0.00} ms, p99 {p99:0.00} ms | ≤ 5 ms |");
            }

            var page2 = await queries.ListAsync(new BatchListRequest(), CancellationToken.None);
            var (m2, p2) = await TimeAsync(() => { generation.Advance(); return queries.ListAsync(new BatchListRequest { Cursor = page2.NextCursor }, CancellationToken.None); });
            report.AppendLine(CultureInfo.InvariantCulture, $"| page of 50, next page by cursor | median {m2:0.00} ms, p99 {p2:0.00} ms | ≤ 5 ms |");

            var (ms, ps) = await TimeAsync(() => { generation.Advance(); return queries.SummarizeAsync(new BatchFilter(), CancellationToken.None); });
            report.AppendLine(CultureInfo.InvariantCulture, $"| header counts (all batches) | median {ms:0.00} ms, p99 {ps:0.00} ms | |");
            var (mf, pf) = await TimeAsync(() => { generation.Advance(); return queries.SummarizeAsync(new BatchFilter { Statuses = [BatchStatusKind.Failed], Endpoint = "/v1/embeddings" }, CancellationToken.None); });
            report.AppendLine(CultureInfo.InvariantCulture, $"| header counts (endpoint filter) | median {mf:0.00} ms, p99 {pf:0.00} ms | |");
            var (mc, pc) = await TimeAsync(() => { generation.Advance(); return queries.GetFacetsAsync(null, null, CancellationToken.None); });
            report.AppendLine(CultureInfo.InvariantCulture, $"| filter choices (endpoints and models) | median {mc:0.00} ms, p99 {pc:0.00} ms | |");
            var (mk, pk) = await TimeAsync(() => queries.SummarizeAsync(new BatchFilter { Endpoint = "/v1/embeddings" }, CancellationToken.None));
            report.AppendLine(CultureInfo.InvariantCulture, $"| header counts, kept from an earlier view (no batch changed since) | median {mk:0.000} ms, p99 {pk:0.000} ms | |");
            var (mp, pp) = await TimeAsync(() => queries.ListAsync(new BatchListRequest { Filter = new() { Statuses = [BatchStatusKind.Failed] } }, CancellationToken.None));
            report.AppendLine(CultureInfo.InvariantCulture, $"| page of 50, kept from an earlier view (no batch changed since) | median {mp:0.000} ms, p99 {pp:0.000} ms | |");

            // What the detail page reads.
            var someId = parsed[count / 2].Id;
            var (mg, pg) = await TimeAsync(() => queries.GetAsync(someId, "bench", CancellationToken.None));
            report.AppendLine(CultureInfo.InvariantCulture, $"| one batch, by id and connection | median {mg:0.00} ms, p99 {pg:0.00} ms | |");
            var (ma, pa) = await TimeAsync(() => queries.GetAsync(someId, null, CancellationToken.None));
            report.AppendLine(CultureInfo.InvariantCulture, $"| one batch, by id in any connection | median {ma:0.00} ms, p99 {pa:0.00} ms | |");
            var (mh, ph) = await TimeAsync(() => queries.GetHistoryAsync("bench", someId, CancellationToken.None));
            report.AppendLine(CultureInfo.InvariantCulture, $"| one batch's snapshots | median {mh:0.00} ms, p99 {ph:0.00} ms | |");
            var database = services.GetRequiredService<IBatchCacheDatabase>();
            var (md, pd) = await TimeAsync(() => database.CheckAsync(CancellationToken.None));
            report.AppendLine(CultureInfo.InvariantCulture, $"| cache check (system status) | median {md:0.00} ms, p99 {pd:0.00} ms | |");
            return report.ToString();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// How the list's queries grow with the cache: the same queries over caches of each size, built as a finished
    /// first import leaves them (store, free-text index, planner statistics).
    /// </summary>
    public static async Task<string> ScaleAsync(IReadOnlyList<int> sizes)
    {
        var newest = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var cases = new (string Name, Func<IBatchQueries, Task> Run)[]
        {
            ("newest 50, no filter", q => q.ListAsync(new BatchListRequest(), CancellationToken.None)),
            ("status = failed", q => q.ListAsync(new BatchListRequest { Filter = new() { Statuses = [BatchStatusKind.Failed] } }, CancellationToken.None)),
            ("status in (in_progress, finalizing, validating)", q => q.ListAsync(new BatchListRequest
                { Filter = new() { Statuses = [BatchStatusKind.InProgress, BatchStatusKind.Finalizing, BatchStatusKind.Validating] } }, CancellationToken.None)),
            ("metadata team = research", q => q.ListAsync(new BatchListRequest { Filter = new() { MetadataKey = "team", MetadataValue = "research" } }, CancellationToken.None)),
            ("free text (a metadata value)", q => q.ListAsync(new BatchListRequest { Filter = new() { Text = "run-1234" } }, CancellationToken.None)),
            ("sort by failures", q => q.ListAsync(new BatchListRequest { Sort = new(BatchSortField.Failures) }, CancellationToken.None)),
            ("needs attention", q => q.ListAsync(new BatchListRequest { Filter = new() { NeedsAttention = true } }, CancellationToken.None)),
            ("header counts (after a change)", q => q.SummarizeAsync(new BatchFilter(), CancellationToken.None)),
            ("header counts, endpoint filter (after a change)", q => q.SummarizeAsync(new BatchFilter { Endpoint = "/v1/embeddings" }, CancellationToken.None)),
        };
        var results = new (double Median, double P99)[cases.Length, sizes.Count];
        var builds = new List<string>();
        for (var s = 0; s < sizes.Count; s++)
        {
            var folder = Directory.CreateTempSubdirectory("batch-dashboard-scale-").FullName;
            try
            {
                await using var services = await OpenCacheAsync(Path.Combine(folder, "scale.db"));
                var store = services.GetRequiredService<BatchStore>();
                await store.StartFirstImportAsync(CancellationToken.None);
                var watch = Stopwatch.StartNew();
                // Pages of 1,000 to build the larger caches sooner; the import's own rate is measured above.
                foreach (var chunk in SyntheticBatches.Generate(sizes[s], newest).Chunk(1_000))
                {
                    await store.UpsertAsync("bench", [.. chunk.Select(json => BatchReader.Read(json).Batch!)], CancellationToken.None);
                }

                var stored = watch.Elapsed;
                await store.FinishFirstImportAsync("bench", CancellationToken.None);
                var bytes = Directory.GetFiles(folder).Sum(file => new FileInfo(file).Length); // the database and its write-ahead log
                builds.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{sizes[s]:N0}: stored in {stored.TotalSeconds:0.0} s, indexed (insights' rollups, free text, deferred indexes, statistics) in {(watch.Elapsed - stored).TotalSeconds:0.0} s, {bytes / 1048576.0:N0} MB on disk"));
                var queries = services.GetRequiredService<IBatchQueries>();
                var generation = services.GetRequiredService<CacheGeneration>();
                // The first size also warms the code up (the JIT's later tiers), so it is timed twice and the second kept.
                for (var pass = s == 0 ? 0 : 1; pass < 2; pass++)
                {
                    for (var c = 0; c < cases.Length; c++)
                    {
                        var run = cases[c].Run;
                        results[c, s] = await TimeAsync(async () =>
                        {
                            generation.Advance(); // as after a sync's write: nothing kept from the last run
                            await run(queries);
                            return true;
                        });
                    }
                }
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
            }
        }

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Median and p99 of 200 runs, in ms, by cached batches (target at 100,000: ≤ 5 ms for a page of 50).");
        report.AppendLine();
        report.AppendLine("| query | " + string.Join(" | ", sizes.Select(n => n.ToString("N0", CultureInfo.InvariantCulture))) + " |");
        report.AppendLine("| --- |" + string.Concat(sizes.Select(_ => " --- |")));
        for (var c = 0; c < cases.Length; c++)
        {
            var row = Enumerable.Range(0, sizes.Count).Select(s => string.Create(CultureInfo.InvariantCulture, $"{results[c, s].Median:0.00} / {results[c, s].P99:0.00}"));
            report.AppendLine(CultureInfo.InvariantCulture, $"| {cases[c].Name} | {string.Join(" | ", row)} |");
        }

        report.AppendLine();
        foreach (var build in builds)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"- {build}");
        }

        return report.ToString();
    }

    /// <summary>Core's services over a new SQLite file, migrated, as the app opens its cache.</summary>
    internal static async Task<ServiceProvider> OpenCacheAsync(string file)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:BatchCache"] = $"Data Source={file}",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddBatchCore(configuration).BuildServiceProvider();
        await services.GetRequiredService<IBatchCacheDatabase>().MigrateAsync(CancellationToken.None);
        return services;
    }

    /// <summary>The median and 99th percentile of <paramref name="runs"/> timed runs, after 10 to warm up, in ms.</summary>
    internal static async Task<(double Median, double P99)> TimeAsync<T>(Func<Task<T>> action, int runs = 200)
    {
        for (var i = 0; i < 10; i++)
        {
            await action();
        }

        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await action();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return (times[runs / 2], times[(int)Math.Ceiling(runs * 0.99) - 1]);
    }
}
