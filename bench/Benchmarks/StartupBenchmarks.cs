using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;

namespace BatchDashboard.Benchmarks;

/// <summary>
/// How soon the published standalone app answers: from process start to <c>/alive</c> answering, and to the first
/// list page, over a cache of synced batches and a loopback upstream. Two publishes of the same code: the default
/// (framework-dependent, JIT-compiled) and the one docs/DEPLOYMENT.md recommends (self-contained, ReadyToRun).
/// </summary>
internal static class StartupBenchmarks
{
    public static async Task<string> RunAsync(int count, int starts)
    {
        var folder = Directory.CreateTempSubdirectory("batch-dashboard-startup-").FullName;
        try
        {
            var database = Path.Combine(folder, "cache.db");
            var newest = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;
            var json = SyntheticBatches.Create(count, newest);
            await PageBenchmarks.FillCacheAsync(database, json, newest);
            SqliteConnection.ClearAllPools();
            await using var upstream = new FrozenUpstream(json);

            var builds = new (string Name, string Folder, string[] Publish, Func<string, (string File, string[] Args)> Command)[]
            {
                ("framework-dependent, JIT (dotnet publish)", Path.Combine(folder, "framework"), [],
                    published => ("dotnet", [Path.Combine(published, "BatchDashboard.Server.dll")])),
                ("self-contained, ReadyToRun (-r linux-x64 --self-contained -p:PublishReadyToRun=true)", Path.Combine(folder, "r2r"),
                    ["-r", "linux-x64", "--self-contained", "-p:PublishReadyToRun=true"],
                    published => (Path.Combine(published, "BatchDashboard.Server"), [])),
            };
            foreach (var build in builds)
            {
                await PublishAsync(build.Folder, build.Publish);
            }

            // The builds take turns, start by start, so each one's figures come from the same minutes of the machine.
            var alive = builds.Select(_ => new List<double>()).ToArray();
            var page = builds.Select(_ => new List<double>()).ToArray();
            for (var run = 0; run < starts + 1; run++)
            {
                for (var b = 0; b < builds.Length; b++)
                {
                    var (file, args) = builds[b].Command(builds[b].Folder);
                    var (toAlive, toPage) = await StartOnceAsync(file, args, database, upstream.BaseUrl);
                    if (run > 0) // the first start of each warms the disk cache
                    {
                        alive[b].Add(toAlive);
                        page[b].Add(toPage);
                    }
                }
            }

            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture, $"Batches cached: {count:N0}; {starts} starts of each build (after one to warm the disk cache), taking turns; from process start, in ms.");
            report.AppendLine();
            report.AppendLine("| build | to `/alive` answering (median, min to max) | to the first list page (median, min to max) | folder |");
            report.AppendLine("| --- | --- | --- | --- |");
            for (var b = 0; b < builds.Length; b++)
            {
                var size = Directory.EnumerateFiles(builds[b].Folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"| {builds[b].Name} | {Median(alive[b]):0} ({alive[b].Min():0} to {alive[b].Max():0}) | {Median(page[b]):0} ({page[b].Min():0} to {page[b].Max():0}) | {size / 1048576.0:0} MB |");
            }

            return report.ToString();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task PublishAsync(string output, string[] options)
    {
        var start = new ProcessStartInfo("dotnet", ["publish", Path.Combine(PageBenchmarks.RepoRoot, "src", "Server"), "-c", "Release", "-o", output, "-v", "q", .. options])
        {
            WorkingDirectory = PageBenchmarks.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish {string.Join(' ', options)} failed:\n{text}\n{await errors}");
        }
    }

    private static async Task<(double Alive, double Page)> StartOnceAsync(string file, string[] args, string database, Uri upstream)
    {
        var port = PageBenchmarks.FreePort();
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.Environment["OPENAI_API_KEY"] = "sk-bench";
        start.Environment["OPENAI_BASE_URL"] = upstream.ToString();
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__BatchCache"] = $"Data Source={database}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (true)
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(1) || process.HasExited)
                {
                    throw new InvalidOperationException($"{file} did not answer /alive.");
                }

                try
                {
                    using var response = await http.GetAsync("/alive");
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(5);
            }

            var alive = clock.Elapsed.TotalMilliseconds;
            using (var page = await http.GetAsync("/batches"))
            {
                page.EnsureSuccessStatusCode();
                await page.Content.ReadAsByteArrayAsync();
            }

            return (alive, clock.Elapsed.TotalMilliseconds);
        }
        finally
        {
            PageBenchmarks.Stop(process);
        }
    }
}
