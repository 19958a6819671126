using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Cache;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace BatchDashboard.Benchmarks;

/// <summary>
/// The dashboard as a user runs it (<c>dotnet run</c>, Release, its own process) over a cache of many batches:
/// pages rendered by the server over HTTP beside an empty page of the same app, and how soon an upstream change
/// shows in a page open in Chromium.
/// </summary>
internal static class PageBenchmarks
{
    internal const string Connection = "openai";

    public static async Task<string> RunAsync(int count, TimeSpan pollInterval, int runs)
    {
        var folder = Directory.CreateTempSubdirectory("batch-dashboard-pages-").FullName;
        var database = Path.Combine(folder, "cache.db");
        var newest = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;
        var json = SyntheticBatches.Create(count, newest);
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Batches cached: {count:N0}; active poll interval {pollInterval.TotalSeconds:0.#} s; {runs} timed requests per page after 20 warm-up rounds, the pages taking turns.");
        report.AppendLine();

        await FillCacheAsync(database, json, newest);
        await using var upstream = new FrozenUpstream(json);
        var port = FreePort();
        using var dashboard = StartDashboard(database, upstream.BaseUrl, port, pollInterval);
        try
        {
            var address = new Uri($"http://127.0.0.1:{port}/");
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
            await WaitForSyncAsync(http, dashboard);

            var completed = json.Select(j => JsonNode.Parse(j)!).First(b => b["status"]!.GetValue<string>() == "completed")["id"]!.GetValue<string>();
            var pages = new (string Name, string Path)[]
            {
                ("empty page (the not-found page: layout, app bar, one message)", "/not-found"),
                ("batch list, newest 50", "/batches"),
                ("batch list, status = failed", "/batches?status=failed"),
                ("batch list, free text", "/batches?q=run-1234"),
                ("batch detail (completed)", $"/batches/{completed}?connection={Connection}"),
                ("insights, last 30 days (every figure on it; the charts drawn once the circuit is up)", "/insights"),
                ("liveness probe, /alive (JSON, from memory)", "/alive"),
                ("health probe, /health (JSON; the cache's check reused for 5 s)", "/health"),
            };

            report.AppendLine("| page (GET, server-rendered HTML) | median | p99 | bytes |");
            report.AppendLine("| --- | --- | --- | --- |");
            double? empty = null;
            double? list = null;
            // The pages take turns, request by request, so each page's figures come from the same minutes of this
            // shared machine, whose speed drifts by tens of percent between minutes.
            var timed = await TimeInTurnsAsync(http, [.. pages.Select(p => p.Path)], runs);
            foreach (var ((name, path), (median, p99, bytes)) in pages.Zip(timed))
            {
                empty ??= median;
                if (path == "/batches")
                {
                    list = median;
                }

                report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {median:0.00} ms | {p99:0.00} ms | {bytes:N0} |");
            }

            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"List page against the empty page: {list / empty:0.0}x (target: median ≤ 20 ms and ≤ 3x).");
            report.AppendLine();

            var memory = await CircuitMemoryAsync(address, 50);
            report.AppendLine(CultureInfo.InvariantCulture,
                $"Memory of the dashboard's process (resident set) with {count:N0} batches cached: {memory.Before / 1048576.0:0} MB with no page open, " +
                $"{memory.After / 1048576.0:0} MB with {memory.Circuits} interactive list pages open in Chromium (one circuit each); target ≤ 350 MB (issue #19; 300 before the pages moved onto MudBlazor).");
            report.AppendLine();

            // Load: many clients at once, each sending its next request as soon as the last is answered.
            report.AppendLine(CultureInfo.InvariantCulture, $"Load: each client GETs the page again as soon as it is answered, for {LoadDuration.TotalSeconds:0} s after 3 s of warm-up; the load generator shares the machine's {Environment.ProcessorCount} cores with the dashboard.");
            report.AppendLine();
            report.AppendLine("| page | clients | requests/s | p50 | p99 | errors |");
            report.AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var clients in new[] { 50, 200 })
            {
                foreach (var (name, path) in new[] { ("batch list", "/batches"), ("batch detail", $"/batches/{completed}?connection={Connection}") })
                {
                    var load = await LoadAsync(address, path, clients);
                    report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {clients} | {load.PerSecond:N0} | {load.P50:0.0} ms | {load.P99:0.0} ms | {load.Errors} |");
                }
            }

            report.AppendLine();

            var (latencies, calls) = await LiveLatencyAsync(address, upstream, newest);
            report.AppendLine(CultureInfo.InvariantCulture,
                $"Upstream change to open page (a new batch listed upstream until its row is in the open list in Chromium), {latencies.Length} times: " +
                $"median {latencies[latencies.Length / 2]:0.00} s, max {latencies[^1]:0.00} s; target ≤ {pollInterval.TotalSeconds + 1:0.#} s (poll interval + 1 s). " +
                $"Upstream calls meanwhile: {calls}.");
            return report.ToString();
        }
        finally
        {
            Stop(dashboard);
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The cache as a finished first import leaves it: every batch, its indexes, the sync state.</summary>
    internal static async Task FillCacheAsync(string database, List<string> json, long newest)
    {
        await using var services = await CoreBenchmarks.OpenCacheAsync(database);
        var store = services.GetRequiredService<BatchStore>();
        await store.StartFirstImportAsync(CancellationToken.None);
        foreach (var page in json.Select(j => BatchReader.Read(j).Batch!).Chunk(100))
        {
            await store.UpsertAsync(Connection, page, CancellationToken.None);
        }

        await store.FinishFirstImportAsync(Connection, CancellationToken.None);
        await store.SaveSyncStateAsync(new SyncStateRecord
        {
            ConnectionId = Connection, InitialImportComplete = true, SearchIndexed = true, LastSuccessAt = newest,
        }, CancellationToken.None);
    }

    internal static Process StartDashboard(string database, Uri upstream, int port, TimeSpan pollInterval)
    {
        var start = new ProcessStartInfo("dotnet", ["run", "-c", "Release", "--no-launch-profile", "--project", Path.Combine(RepoRoot, "src", "Server")])
        {
            WorkingDirectory = RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["OPENAI_API_KEY"] = "sk-bench";
        start.Environment["OPENAI_BASE_URL"] = upstream.ToString();
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__BatchCache"] = $"Data Source={database}";
        start.Environment["BatchDashboard__Sync__ActivePollInterval"] = pollInterval.ToString("c", CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet run did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) { Console.Error.WriteLine("dashboard: " + line); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static async Task WaitForSyncAsync(HttpClient http, Process dashboard)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (dashboard.HasExited)
            {
                throw new InvalidOperationException($"The dashboard exited with code {dashboard.ExitCode}.");
            }

            try
            {
                using var health = JsonDocument.Parse(await http.GetStringAsync(new Uri("healthz", UriKind.Relative)));
                if (health.RootElement.GetProperty("checks").GetProperty("sync").GetProperty("data").GetProperty(Connection).GetProperty("state").GetString() == "polling")
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or KeyNotFoundException or JsonException)
            {
                // Still building or starting.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("The dashboard did not report its sync as polling within 3 minutes.");
    }

    /// <summary>Times <paramref name="runs"/> GETs of each path after 20 warm-up rounds, the paths taking turns.</summary>
    internal static async Task<(double Median, double P99, long Bytes)[]> TimeInTurnsAsync(HttpClient http, string[] paths, int runs)
    {
        var bytes = new long[paths.Length];
        async Task<double> OnceAsync(int page)
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync(new Uri(paths[page].TrimStart('/'), UriKind.Relative));
            var body = await response.Content.ReadAsByteArrayAsync();
            var elapsed = watch.Elapsed.TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET {paths[page]} answered {(int)response.StatusCode}.");
            }

            bytes[page] = body.Length;
            return elapsed;
        }

        var times = new double[paths.Length][];
        for (var page = 0; page < paths.Length; page++)
        {
            times[page] = new double[runs];
        }

        for (var round = -20; round < runs; round++)
        {
            for (var page = 0; page < paths.Length; page++)
            {
                var elapsed = await OnceAsync(page);
                if (round >= 0)
                {
                    times[page][round] = elapsed;
                }
            }
        }

        return [.. times.Select((t, page) =>
        {
            Array.Sort(t);
            return (t[runs / 2], t[(int)Math.Ceiling(runs * 0.99) - 1], bytes[page]);
        })];
    }

    private static readonly TimeSpan LoadDuration = TimeSpan.FromSeconds(10);

    /// <summary>Closed-loop load: <paramref name="clients"/> loops, each on its own connection, for <see cref="LoadDuration"/>.</summary>
    private static async Task<(double PerSecond, double P50, double P99, int Errors)> LoadAsync(Uri address, string path, int clients)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        var target = new Uri(path.TrimStart('/'), UriKind.Relative);
        var errors = 0;
        var measuring = false;
        var timings = new List<double>[clients];
        using var stop = new CancellationTokenSource();
        async Task ClientAsync(int index)
        {
            timings[index] = [];
            while (!stop.IsCancellationRequested)
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    using var response = await http.GetAsync(target, HttpCompletionOption.ResponseContentRead, stop.Token);
                    if (measuring)
                    {
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            timings[index].Add(watch.Elapsed.TotalMilliseconds);
                        }
                        else
                        {
                            Interlocked.Increment(ref errors);
                        }
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    if (measuring)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
            }
        }

        var loops = Enumerable.Range(0, clients).Select(i => Task.Run(() => ClientAsync(i))).ToList();
        await Task.Delay(TimeSpan.FromSeconds(3));
        measuring = true;
        var elapsed = Stopwatch.StartNew();
        await Task.Delay(LoadDuration);
        measuring = false;
        var seconds = elapsed.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(loops);
        var all = timings.SelectMany(t => t).Order().ToArray();
        return all.Length == 0
            ? (0, 0, 0, errors)
            : (all.Length / seconds, all[all.Length / 2], all[(int)Math.Ceiling(all.Length * 0.99) - 1], errors);
    }

    /// <summary>The app's resident memory before and after opening <paramref name="circuits"/> interactive list pages.</summary>
    private static async Task<(long Before, long After, int Circuits)> CircuitMemoryAsync(Uri address, int circuits)
    {
        // `dotnet run` starts the app as a child process of its own name.
        static long Resident()
        {
            var app = Process.GetProcessesByName("BatchDashboard.Server").Single();
            app.Refresh();
            return app.WorkingSet64;
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        var before = Resident();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var context = await browser.NewContextAsync(new() { BaseURL = address.ToString() });
        for (var i = 0; i < circuits; i++)
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync("/batches");
            await page.Locator(".app-shell[data-interactive=\"true\"]").WaitForAsync(new() { Timeout = 30_000 });
        }

        // Let a sync cycle or two re-render every open page.
        await Task.Delay(TimeSpan.FromSeconds(8));
        var after = Resident();
        await context.CloseAsync();
        return (before, after, circuits);
    }

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = Environment.GetEnvironmentVariable("BD_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    });

    /// <summary>Adds a batch upstream, then times until its row is in the list open in Chromium (no reload).</summary>
    private static async Task<(double[] Seconds, int UpstreamCalls)> LiveLatencyAsync(Uri address, FrozenUpstream upstream, long newest)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { BaseURL = address.ToString() });
        await page.GotoAsync("/batches");
        await page.Locator(".app-shell[data-interactive=\"true\"]").WaitForAsync(new() { Timeout = 30_000 });

        var calls = upstream.Calls;
        var samples = new List<double>();
        for (var i = 1; i <= 10; i++)
        {
            var id = $"batch_bench_live_{i:D2}";
            var json = new JsonObject
            {
                ["id"] = id, ["object"] = "batch", ["endpoint"] = "/v1/chat/completions", ["model"] = "gpt-4o-mini-2024-07-18",
                ["input_file_id"] = "file-benchlive" + i, ["completion_window"] = "24h", ["status"] = "validating",
                ["created_at"] = newest + (i * 5), ["expires_at"] = newest + (i * 5) + 86_400,
                ["request_counts"] = new JsonObject { ["total"] = 0, ["completed"] = 0, ["failed"] = 0 },
                ["metadata"] = new JsonObject { ["bench"] = "live" },
            }.ToJsonString();
            var watch = Stopwatch.StartNew();
            upstream.Add(json);
            await page.Locator($"td[data-batch-id=\"{id}\"]").WaitForAsync(new() { Timeout = 60_000 });
            samples.Add(watch.Elapsed.TotalSeconds);
            // Start the next change at a random point of the poll cycle.
            await Task.Delay(Random.Shared.Next(200, 1500));
        }

        samples.Sort();
        return ([.. samples], upstream.Calls - calls);
    }

    internal static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "BatchDashboard.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("BatchDashboard.sln was not found above the benchmark.");
    }
}
