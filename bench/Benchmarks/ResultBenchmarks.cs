using System.Diagnostics;
using System.Globalization;
using System.Text;
using BatchDashboard.Core;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Results;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Benchmarks;

/// <summary>
/// Indexing a large output file through the real client from a loopback upstream, beside a plain read of the same
/// file from disk; the process's memory while it runs; and finding one request by custom_id.
/// </summary>
internal static class ResultBenchmarks
{
    public static async Task<string> RunAsync(long targetBytes)
    {
        var folder = Directory.CreateTempSubdirectory("batch-dashboard-results-").FullName;
        try
        {
            var file = Path.Combine(folder, "output.jsonl");
            var lines = Generate(file, targetBytes);
            var bytes = new FileInfo(file).Length;
            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture, $"An embeddings output file of {bytes / 1048576.0:N0} MB: {lines:N0} lines (the most a batch holds), about {bytes / lines / 1024.0:N0} KB a line, on the local disk.");
            report.AppendLine();
            report.AppendLine("| measurement | result | target |");
            report.AppendLine("| --- | --- | --- |");

            // The plain read, 1 MB reads counting lines: first from the disk (the file's pages dropped from the page
            // cache), then from memory, as the file was just read. The target is against the read from disk.
            var evicted = PageCache.Evict(file);
            var cold = await PlainReadAsync(file);
            var warm = await PlainReadAsync(file);
            var read = evicted ? cold : warm;
            var split = await LineSplitAsync(file);
            report.AppendLine(evicted
                ? string.Create(CultureInfo.InvariantCulture, $"| plain read of the file from disk (its pages dropped from the page cache first; 1 MB reads, counting line breaks) | {bytes / 1048576.0 / cold.TotalSeconds:N0} MB/s | |")
                : "| plain read of the file from disk | not measured: the page cache cannot be told to drop it here | |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| the same read again, from the page cache | {bytes / 1048576.0 / warm.TotalSeconds:N0} MB/s | |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| the index's line reader over the same file (no parsing, no writes) | {bytes / 1048576.0 / split.TotalSeconds:N0} MB/s | |");
            var parse = await LineSplitAsync(file, parse: true);
            report.AppendLine(CultureInfo.InvariantCulture, $"| the line reader and the result-line parser (no writes) | {bytes / 1048576.0 / parse.TotalSeconds:N0} MB/s | |");

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:BatchCache"] = $"Data Source={Path.Combine(folder, "cache.db")}",
            }).Build();
            await using var upstream = new FrozenUpstream([]);
            upstream.AddFile("file-bench-output", file);
            await using var services = new ServiceCollection().AddLogging().AddBatchCore(configuration).BuildServiceProvider();
            await services.GetRequiredService<IBatchCacheDatabase>().MigrateAsync(CancellationToken.None);
            services.GetRequiredService<ConnectionCatalog>().Add(new ApiConnection
            {
                Id = "bench", Name = "Bench", Kind = ConnectionKind.Compatible, BaseUrl = upstream.BaseUrl, ApiKey = "sk-bench",
            });
            // Two batches with the same output file: the first index is the process's first (it compiles the index's
            // code as it goes), the second runs as in a dashboard that has indexed before.
            var first = Batch("batch_bench_results_first", lines);
            var batch = Batch("batch_bench_results", lines);
            await services.GetRequiredService<BatchStore>().UpsertAsync("bench", [first, batch], CancellationToken.None);
            var indexing = services.GetRequiredService<IResultIndexing>();

            // What the download itself costs, through the same client: the stream alone, then copied to disk.
            var client = services.GetRequiredService<BatchDashboard.Core.Api.IBatchApiClientFactory>().Create(services.GetRequiredService<ConnectionCatalog>().Find("bench")!);
            var (download, _) = await DownloadAsync(client, null);
            var copyPath = Path.Combine(folder, "copy.jsonl");
            var (downloadAndCopy, _) = await DownloadAsync(client, copyPath, direct: false);
            File.Delete(copyPath);
            var (downloadAndDirectCopy, directCopy) = await DownloadAsync(client, copyPath, direct: true);
            File.Delete(copyPath);
            report.AppendLine(CultureInfo.InvariantCulture, $"| download over loopback HTTP through the API client, discarded | {bytes / 1048576.0 / download.TotalSeconds:N0} MB/s | |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| the same, written to a local copy through the page cache (buffered writes) | {bytes / 1048576.0 / downloadAndCopy.TotalSeconds:N0} MB/s | |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| the same, written as the index writes its copy ({(directCopy ? "direct, past the page cache" : "buffered: this file system refuses direct writes")}) | {bytes / 1048576.0 / downloadAndDirectCopy.TotalSeconds:N0} MB/s | |");

            var half = bytes / 1048576.0 / read.TotalSeconds / 2;
            var (firstIndex, firstGrowth) = await IndexAsync(indexing, first.Id, lines);
            var coldRate = bytes / 1048576.0 / firstIndex.TotalSeconds;
            report.AppendLine(CultureInfo.InvariantCulture, $"| index, the process's first (its code compiled as it runs): download over loopback HTTP, local copy, parse and SQLite, {lines:N0} requests | {coldRate:N0} MB/s ({firstIndex.TotalSeconds:N1} s; {coldRate / half * 100:N0}% of the target) | |");

            var (elapsed, growth) = await IndexAsync(indexing, batch.Id, lines);
            var rate = bytes / 1048576.0 / elapsed.TotalSeconds;
            report.AppendLine(CultureInfo.InvariantCulture, $"| index, the same file for another batch (the code compiled, as in a dashboard that has indexed before) | {rate:N0} MB/s ({lines / elapsed.TotalSeconds:N0} lines/s, {elapsed.TotalSeconds:N1} s; {rate / half * 100:N0}% of the target) | ≥ half the plain read from disk ({half:N0} MB/s) |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| the same, beside the line reader alone | {rate / (bytes / 1048576.0 / split.TotalSeconds) * 100:N0}% of its speed | |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| process working set while indexing, above where it started (the first index; the second) | {firstGrowth.WorkingSet / 1048576.0:N0} MB; {growth.WorkingSet / 1048576.0:N0} MB at the peak | ≤ 64 MB |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| managed heap after indexing, above before (after a full collection) | {growth.Heap / 1048576.0:N1} MB | |");

            var results = services.GetRequiredService<IResultQueries>();
            var random = new Random(7);
            var times = new List<double>();
            for (var i = 0; i < 220; i++)
            {
                var id = $"req-{random.Next(1, lines + 1)}";
                var lookup = Stopwatch.StartNew();
                var detail = await results.GetAsync("bench", batch.Id, id, CancellationToken.None) ?? throw new InvalidOperationException($"{id} not found");
                lookup.Stop();
                if (i >= 20)
                {
                    times.Add(lookup.Elapsed.TotalMilliseconds);
                }

                _ = detail.ResultLine!.Length;
            }

            times.Sort();
            report.AppendLine(CultureInfo.InvariantCulture, $"| one request by custom_id, with its line read from the local copy (200 random ids) | median {times[times.Count / 2]:0.00} ms, p99 {times[(int)(times.Count * 0.99)]:0.00} ms | ≤ 5 ms |");
            var page = Stopwatch.StartNew();
            await results.ListAsync("bench", batch.Id, new ResultFilter { CustomId = "req-12345" }, null, 50, CancellationToken.None);
            page.Stop();
            report.AppendLine(CultureInfo.InvariantCulture, $"| search for part of a custom_id over {lines:N0} requests (one page) | {page.Elapsed.TotalMilliseconds:0.0} ms | |");
            return report.ToString();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Batch Batch(string id, int lines) => BatchReader.Read($$$"""
        {"id":"{{{id}}}","object":"batch","endpoint":"/v1/chat/completions","status":"completed","output_file_id":"file-bench-output",
         "created_at":1761896207,"completed_at":1761899807,"request_counts":{"total":{{{lines}}},"completed":{{{lines}}},"failed":0}}
        """).Batch!;

    /// <summary>Indexes the batch's output file whole, sampling the process's working set every 50 ms meanwhile.</summary>
    /// <returns>The time taken, and how far the working set rose above its start and the managed heap above before.</returns>
    private static async Task<(TimeSpan Elapsed, (long WorkingSet, long Heap) Growth)> IndexAsync(IResultIndexing indexing, string batchId, int lines)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.WorkingSet64;
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        long peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                await Task.Delay(50);
            }
        });
        var watch = Stopwatch.StartNew();
        var files = await indexing.IndexAsync("bench", batchId, CancellationToken.None);
        watch.Stop();
        await sampling.CancelAsync();
        await sampler;
        var indexed = files.Single();
        if (indexed.State != ResultFileState.Indexed || indexed.Lines != lines)
        {
            throw new InvalidOperationException($"The file was not indexed whole: {indexed.State}, {indexed.Lines:N0} lines, {indexed.Error}");
        }

        return (watch.Elapsed, (peak - before, GC.GetTotalMemory(forceFullCollection: true) - heapBefore));
    }

    /// <summary>
    /// Writes an embeddings output file of the API's most requests (50,000), each vector long enough for the file to
    /// reach the size asked for: the way a real output file gets large (a batch cannot hold more requests).
    /// </summary>
    private static int Generate(string path, long targetBytes)
    {
        const int lines = 50_000;
        var random = new Random(11);
        var dimensions = (int)Math.Max(16, ((targetBytes / lines) - 400) / 11);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 20);
        var vector = new StringBuilder(dimensions * 12);
        for (var i = 1; i <= lines; i++)
        {
            vector.Clear();
            for (var d = 0; d < dimensions; d++)
            {
                vector.Append(d == 0 ? "" : ",").Append(((random.NextDouble() * 2) - 1).ToString("0.0000000", CultureInfo.InvariantCulture));
            }

            writer.Write(string.Concat(
                "{\"id\":\"batch_req_", i.ToString("D8", CultureInfo.InvariantCulture), "\",\"custom_id\":\"req-", i.ToString(CultureInfo.InvariantCulture),
                "\",\"response\":{\"status_code\":200,\"request_id\":\"", i.ToString("x16", CultureInfo.InvariantCulture),
                "\",\"body\":{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":["));
            writer.Write(vector);
            writer.Write(string.Concat("]}],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":", (20 + (i % 40)).ToString(CultureInfo.InvariantCulture),
                ",\"total_tokens\":", (20 + (i % 40)).ToString(CultureInfo.InvariantCulture), "}}},\"error\":null}\n"));
        }

        return lines;
    }

    /// <returns>The time taken, and whether the copy was written direct (past the page cache).</returns>
    private static async Task<(TimeSpan Elapsed, bool Direct)> DownloadAsync(BatchDashboard.Core.Api.IBatchApiClient client, string? copyTo, bool direct = false)
    {
        var buffer = new byte[1 << 18];
        var watch = Stopwatch.StartNew();
        await using var content = (await client.OpenFileContentAsync("file-bench-output", CancellationToken.None))!;
        await using var copy = copyTo is null ? null : LocalCopyStream.Create(copyTo, direct);
        int read;
        while ((read = await content.ReadAsync(buffer)) > 0)
        {
            if (copy is not null)
            {
                await copy.WriteAsync(buffer.AsMemory(0, read));
            }
        }

        if (copy is not null)
        {
            await copy.FlushAsync();
        }

        watch.Stop();
        return (watch.Elapsed, copy is not null && LocalCopyStream.IsDirect(copy));
    }

    private static async Task<TimeSpan> PlainReadAsync(string path)
    {
        var buffer = new byte[1 << 20];
        var watch = Stopwatch.StartNew();
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        long breaks = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            breaks += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        watch.Stop();
        return breaks > 0 ? watch.Elapsed : throw new InvalidOperationException("empty file");
    }

    private static async Task<TimeSpan> LineSplitAsync(string path, bool parse = false)
    {
        var watch = Stopwatch.StartNew();
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var reader = new JsonLineReader(stream);
        var lines = 0;
        while (await reader.ReadAsync(CancellationToken.None) is { } line)
        {
            if (parse && ResultLineParser.ParseResult(line.Bytes.Span, out var problem) is null)
            {
                throw new InvalidOperationException(problem);
            }

            lines++;
        }

        watch.Stop();
        return lines > 0 ? watch.Elapsed : throw new InvalidOperationException("empty file");
    }
}
