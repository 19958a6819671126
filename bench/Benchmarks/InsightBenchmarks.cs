using System.Diagnostics;
using System.Globalization;
using System.Text;
using BatchDashboard.Core;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Insights;
using BatchDashboard.Tests.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BatchDashboard.Benchmarks;

/// <summary>
/// The insights page's reads over a large cache, on SQLite and on PostgreSQL (a private cluster, as the tests start
/// one): the cache filled as a first import fills it (the rollups counted once at its end), then each view of a 30-day
/// range timed. Target: ≤ 50 ms of server time at 1,000,000 batches on both.
/// </summary>
internal static class InsightBenchmarks
{
    private const string Connection = "bench";

    /// <param name="providers"><c>sqlite</c>, <c>postgres</c> or both: PostgreSQL's import of a million batches takes about 15 minutes here.</param>
    public static async Task<string> RunAsync(int count, int runs, IReadOnlyCollection<string> providers)
    {
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"{count:N0} batches over about {count * 26L / 86_400:N0} days (the synthetic mix: five models, six endpoints, a team of five and a run id per 50 batches as metadata). Median and p99 of {runs} reads, in ms, of a 30-day range ending today.");
        report.AppendLine();
        var measured = new List<(string Provider, List<(string Name, (double Median, double P99) Time)> Times, string Build)>();
        if (providers.Contains("sqlite"))
        {
            var (times, build) = await MeasureAsync(count, runs, folder => Task.FromResult($"Data Source={Path.Combine(folder, "insights.db")}"), null);
            measured.Add(("SQLite", times, build));
        }

        if (providers.Contains("postgres"))
        {
            await using var postgres = new PostgresServer();
            await postgres.InitializeAsync();
            var (times, build) = await MeasureAsync(count, runs, _ => postgres.CreateDatabaseAsync(), "Postgres");
            measured.Add(("PostgreSQL", times, build));
        }

        report.AppendLine("| view | " + string.Join(" | ", measured.Select(m => m.Provider)) + " |");
        report.AppendLine("| --- |" + string.Concat(measured.Select(_ => " --- |")));
        for (var i = 0; i < (measured.FirstOrDefault().Times?.Count ?? 0); i++)
        {
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {measured[0].Times[i].Name} | {string.Join(" | ", measured.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Times[i].Time.Median:0.00} / {m.Times[i].Time.P99:0.00}")))} |");
        }

        report.AppendLine();
        foreach (var (provider, _, build) in measured)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"- {provider}: {build}");
        }

        return report.ToString();
    }

    private static async Task<(List<(string Name, (double Median, double P99) Time)> Times, string Build)> MeasureAsync(
        int count, int runs, Func<string, Task<string>> database, string? provider)
    {
        var folder = Directory.CreateTempSubdirectory("batch-dashboard-insights-").FullName;
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:BatchCache"] = await database(folder),
                ["BatchDashboard:Database:FilesFolder"] = Path.Combine(folder, "files"),
            };
            if (provider is not null)
            {
                settings["BatchDashboard:Database:Provider"] = provider;
            }

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            await using var services = new ServiceCollection().AddLogging().AddBatchCore(configuration).BuildServiceProvider();
            await services.GetRequiredService<IBatchCacheDatabase>().MigrateAsync(CancellationToken.None);
            var store = services.GetRequiredService<BatchStore>();
            await store.StartFirstImportAsync(CancellationToken.None);
            var newest = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;
            var watch = Stopwatch.StartNew();
            foreach (var chunk in SyntheticBatches.Generate(count, newest).Chunk(1_000))
            {
                await store.UpsertAsync(Connection, [.. chunk.Select(json => BatchReader.Read(json).Batch!)], CancellationToken.None);
            }

            var stored = watch.Elapsed;
            var rollups = services.GetRequiredService<InsightRollups>();
            watch.Restart();
            await rollups.RecountAsync(Connection, CancellationToken.None);
            var recounted = watch.Elapsed;
            // The rest of what a first import's end does (FinishFirstImportAsync, whose recount is timed above).
            await store.BuildSearchIndexAsync(Connection, CancellationToken.None);
            await store.BuildDeferredIndexesAsync(CancellationToken.None);
            await store.AnalyzeAsync(CancellationToken.None);
            var rows = await CountRowsAsync(services);

            var insights = services.GetRequiredService<IInsightQueries>();
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            var month = new InsightFilter(today.AddDays(-29), today);
            var cases = new (string Name, InsightFilter Filter)[]
            {
                ("whole page, 30 days, no filter", month),
                ("whole page, one model", month with { Model = "gpt-4.1-2025-04-14" }),
                ("whole page, metadata team = search", month with { MetadataKey = "team", MetadataValue = "search" }),
                ("whole page, spend grouped by team", month with { GroupBy = "team" }),
                ("whole page, spend grouped by run (2,000 values in 30 days)", month with { GroupBy = "run" }),
                ("whole page, 90 days", month with { From = today.AddDays(-89) }),
            };
            var generation = services.GetRequiredService<CacheGeneration>();
            var times = new List<(string, (double, double))>();
            foreach (var (caseName, filter) in cases)
            {
                times.Add((caseName, await CoreBenchmarks.TimeAsync(() =>
                {
                    generation.Advance(); // as after a sync's write: nothing kept from the last run
                    return insights.GetReportAsync(filter, CancellationToken.None);
                }, runs)));
            }

            var running = BatchReader.Read(SyntheticBatches.Create(1, newest)[0]).Batch! with { Status = BatchStatus.Parse("in_progress") };
            times.Add(("similar batches, for a running batch's estimate", await CoreBenchmarks.TimeAsync(() => insights.GetSimilarAsync(Connection, running, CancellationToken.None), runs)));

            // Once counted, every write keeps the rollups: 20,000 more batches in pages of 100, as the sync stores them.
            const int More = 20_000;
            var more = SyntheticBatches.Create(More, newest + 60).ConvertAll(json => BatchReader.Read(json).Batch!);
            watch.Restart();
            foreach (var page in more.Chunk(100))
            {
                await store.UpsertAsync(Connection, page, CancellationToken.None);
            }

            var kept = More / watch.Elapsed.TotalSeconds;
            return (times, string.Create(CultureInfo.InvariantCulture,
                $"stored in {stored.TotalSeconds:0.0} s ({count / stored.TotalSeconds:N0} batches/s in pages of 1,000, rollups left to the end, as a first import does); rollups counted in {recounted.TotalSeconds:0.0} s ({rows}); then {More:N0} more batches stored with their rollups kept at {kept:N0} batches/s in pages of 100."));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<string> CountRowsAsync(IServiceProvider services)
    {
        await using var context = await services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<BatchCacheDbContext>>().CreateDbContextAsync();
        var days = context.InsightDays.LongCount();
        var all = context.InsightDays.LongCount(r => r.MetaKey == "");
        var durations = context.InsightDurations.LongCount();
        return string.Create(CultureInfo.InvariantCulture, $"{days:N0} day rows, {all:N0} of them over all batches; {durations:N0} duration rows");
    }
}
