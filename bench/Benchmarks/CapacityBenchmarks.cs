using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BatchDashboard.Core.Capacity;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Benchmarks;

/// <summary>
/// Issue #23's targets: counting a 200 MB input file's prompt tokens on one core with memory flat (≥ 50 MB/s), and
/// the capacity view with 1,000 running batches (≤ 20 ms), as the published dashboard serves it over HTTP.
/// </summary>
internal static class CapacityBenchmarks
{
    public static async Task<string> RunAsync(long fileBytes, int batches, int runs)
    {
        var folder = Directory.CreateTempSubdirectory("batch-dashboard-capacity-").FullName;
        try
        {
            var report = new StringBuilder();
            report.AppendLine("Counting an input file's prompt tokens (`InputTokenCount.CountAsync`: the line reader, the JSON reader and the tokenizer, on one thread), three runs each after one to warm up:");
            report.AppendLine();
            report.AppendLine("| file | size | tokens | MB/s (runs) | managed heap, most seen | target |");
            report.AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var (name, shared) in new[] { ("chat requests sharing a 1 KB system prompt, each with 1 KB of its own text", true), ("chat requests with only text of their own, 2 KB each", false) })
            {
                foreach (var size in new[] { fileBytes / 10, fileBytes })
                {
                    var file = Path.Combine(folder, $"input-{shared}-{size}.jsonl");
                    Generate(file, size, shared);
                    var (tokens, rates, heap) = await CountAsync(file);
                    report.AppendLine(CultureInfo.InvariantCulture,
                        $"| {name} | {new FileInfo(file).Length / 1048576.0:N0} MB | {tokens:N0} | {string.Join(", ", rates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))} | {heap / 1048576.0:N0} MB | ≥ 50 MB/s |");
                    File.Delete(file);
                }
            }

            report.AppendLine();
            report.AppendLine(await ViewAsync(folder, batches, runs));
            return report.ToString();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Realistic lines: sentences drawn from the repository's own prose (its docs and the API reference), so the
    /// vocabulary is a real one's and not a handful of words the tokenizer's cache holds whole.
    /// </summary>
    private static void Generate(string path, long bytes, bool sharedPrompt)
    {
        var sentences = Directory.EnumerateFiles(Path.Combine(PageBenchmarks.RepoRoot, "docs"), "*.md")
            .Append(Path.Combine(PageBenchmarks.RepoRoot, "README.md"))
            .SelectMany(f => File.ReadAllText(f).Split(['.', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(s => s.Length > 30).ToArray();
        var random = new Random(23);
        string Text(int length)
        {
            var text = new StringBuilder();
            while (text.Length < length)
            {
                text.Append(sentences[random.Next(sentences.Length)]).Append(". ");
            }

            return text.ToString();
        }

        var system = Text(1024);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        long written = 0;
        for (var i = 0; written < bytes; i++)
        {
            var line = JsonSerializer.Serialize(new JsonObject
            {
                ["custom_id"] = $"request-{i}",
                ["method"] = "POST",
                ["url"] = "/v1/chat/completions",
                ["body"] = new JsonObject
                {
                    ["model"] = "gpt-4o-mini",
                    ["messages"] = new JsonArray(
                        new JsonObject { ["role"] = "system", ["content"] = sharedPrompt ? system : Text(1024) },
                        new JsonObject { ["role"] = "user", ["content"] = Text(1024) }),
                    ["max_tokens"] = 400,
                },
            });
            writer.Write(line);
            writer.Write('\n');
            written += Encoding.UTF8.GetByteCount(line) + 1;
        }
    }

    private static async Task<(long Tokens, double[] MegabytesPerSecond, long PeakHeap)> CountAsync(string file)
    {
        var megabytes = new FileInfo(file).Length / 1048576.0;
        long tokens = 0;
        var rates = new List<double>();
        long peak = 0;
        for (var run = -1; run < 3; run++)
        {
            GC.Collect();
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, GC.GetTotalMemory(false));
                    await Task.Delay(10, CancellationToken.None);
                }
            }, CancellationToken.None);
            var watch = Stopwatch.StartNew();
            await using (var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            {
                tokens = (await InputTokenCount.CountAsync(input, CancellationToken.None)).Tokens;
            }

            watch.Stop();
            await sampling.CancelAsync();
            await sampler;
            if (run >= 0)
            {
                rates.Add(megabytes / watch.Elapsed.TotalSeconds);
            }
        }

        return (tokens, [.. rates], peak);
    }

    /// <summary>The capacity page and its JSON over HTTP from the published dashboard, every running batch counted.</summary>
    private static async Task<string> ViewAsync(string folder, int count, int runs)
    {
        var database = Path.Combine(folder, "cache.db");
        var newest = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;
        var json = SyntheticBatches.Create(count, newest);
        await PageBenchmarks.FillCacheAsync(database, json, newest);
        var running = json.Select(j => JsonNode.Parse(j)!).Where(b => b["status"]!.GetValue<string>() is "validating" or "in_progress" or "finalizing").ToList();
        await using (var services = await CoreBenchmarks.OpenCacheAsync(database))
        {
            var counting = services.GetRequiredService<IInputTokenCounting>();
            var random = new Random(5);
            foreach (var batch in running)
            {
                await counting.RecordAsync(PageBenchmarks.Connection, batch["input_file_id"]!.GetValue<string>(),
                    new InputTokenCount(random.Next(10_000, 40_000_000), 1, batch["model"]!.GetValue<string>(), "o200k_base", false), CancellationToken.None);
            }
        }

        await using var upstream = new FrozenUpstream(json);
        var port = PageBenchmarks.FreePort();
        using var dashboard = PageBenchmarks.StartDashboard(database, upstream.BaseUrl, port, TimeSpan.FromSeconds(3));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
            await PageBenchmarks.WaitForSyncAsync(http, dashboard);
            var pages = new (string Name, string Path)[]
            {
                ("empty page (the not-found page), for scale", "/not-found"),
                ("capacity page (server-rendered HTML)", "/capacity"),
                ("GET /api/capacity (JSON)", "/api/capacity"),
            };
            var timed = await PageBenchmarks.TimeInTurnsAsync(http, [.. pages.Select(p => p.Path)], runs);
            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture,
                $"The capacity view with {running.Count:N0} running batches (every input file counted) among {count:N0} cached, {runs} timed requests each after 20 warm-up rounds, taking turns:");
            report.AppendLine();
            report.AppendLine("| page | median | p99 | bytes | target |");
            report.AppendLine("| --- | --- | --- | --- | --- |");
            foreach (var ((name, path), (median, p99, bytes)) in pages.Zip(timed))
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {median:0.00} ms | {p99:0.00} ms | {bytes:N0} | {(path == "/not-found" ? "" : "≤ 20 ms")} |");
            }

            return report.ToString();
        }
        finally
        {
            PageBenchmarks.Stop(dashboard);
        }
    }
}
