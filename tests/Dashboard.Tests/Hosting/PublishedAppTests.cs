using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Dashboard.Tests.Hosting;

/// <summary>
/// The app as a user deploys it: <c>dotnet publish</c>, then the published folder started on its own. Its settings
/// file, Blazor's script and the design system must all be there and served.
/// </summary>
public sealed partial class PublishedAppTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("batch-dashboard-publish-").FullName;

    [Fact]
    public async Task PublishedApp_ServesItsPage_FingerprintedAssets_AndHealth_FromItsOwnFolder()
    {
        var output = Path.Combine(_folder, "app");
        var publish = await RunAsync("dotnet", $"publish \"{Path.Combine(RepoPaths.Root, "src", "Server")}\" -c Release -o \"{output}\" --nologo", RepoPaths.Root);
        Assert.True(publish.ExitCode == 0, publish.Output);
        Assert.True(File.Exists(Path.Combine(output, "appsettings.json")), "appsettings.json is published beside the app");

        var port = Loopback.FreePort();
        using var app = Process.Start(new ProcessStartInfo("dotnet", $"BatchDashboard.Server.dll --urls http://127.0.0.1:{port}")
        {
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["OPENAI_API_KEY"] = "", ["ASPNETCORE_ENVIRONMENT"] = "Production" },
        })!;
        try
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            app.OutputDataReceived += (_, e) =>
            {
                if (e.Data?.Contains("Application started", StringComparison.Ordinal) == true)
                {
                    started.TrySetResult();
                }
            };
            app.BeginOutputReadLine();
            app.BeginErrorReadLine();
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var html = await client.GetStringAsync("/", TestContext.Current.CancellationToken);
            var assets = AssetReference().Matches(html).Select(m => m.Groups["path"].Value).ToList();

            Assert.Contains(assets, a => a.StartsWith("_framework/blazor.web.", StringComparison.Ordinal));
            Assert.Contains(assets, a => a.StartsWith("_content/BatchDashboard.Dashboard/css/tokens.", StringComparison.Ordinal));
            foreach (var asset in assets)
            {
                using var response = await client.GetAsync(asset, TestContext.Current.CancellationToken);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {response.StatusCode}");
            }

            using var health = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            // With no key the published app runs its demo on the emulator it carries, with the demo's cache file in
            // the data folder beside the app (a real connection's file would sit beside it, as batch-cache.db).
            Assert.Contains("Demo data", html, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(output, "data", "demo-batch-cache.db")));
        }
        finally
        {
            app.Kill(entireProcessTree: true);
            await app.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task DotnetRun_StartsFromTheRepositoryRoot_SoTheRootSettingsFileIsRead()
    {
        var result = await RunAsync("dotnet", "msbuild src/Server/BatchDashboard.Server.csproj -getProperty:RunWorkingDirectory -nologo", RepoPaths.Root);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Path.TrimEndingDirectorySeparator(RepoPaths.Root), Path.TrimEndingDirectorySeparator(result.Output.Trim()));
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "appsettings.json")));
    }

    /// <summary>
    /// The systemd unit in docs/DEPLOYMENT.md, over the self-contained ReadyToRun publish it recommends. Where systemd
    /// runs, a test could hand it the unit; machines that run these tests (containers) have none, so this runs the
    /// unit's own command line with its environment, as systemd would, with its folders moved into a temporary one,
    /// and says so in the test's output.
    /// </summary>
    [Fact]
    public async Task TheDocumentedSystemdUnit_StartsTheSelfContainedReadyToRunPublish()
    {
        var output = Path.Combine(_folder, "opt");
        var state = Directory.CreateDirectory(Path.Combine(_folder, "var-lib")).FullName;
        var publish = await RunAsync("dotnet",
            $"publish \"{Path.Combine(RepoPaths.Root, "src", "Server")}\" -c Release -r linux-x64 --self-contained -p:PublishReadyToRun=true -o \"{output}\" --nologo",
            RepoPaths.Root);
        Assert.True(publish.ExitCode == 0, publish.Output);

        var unit = SystemdUnit.FromDeployment(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "DEPLOYMENT.md")));
        var port = Loopback.FreePort();
        string Moved(string value) => value.Replace("/opt/batch-dashboard", output, StringComparison.Ordinal)
            .Replace("/var/lib/batch-dashboard", state, StringComparison.Ordinal)
            .Replace("127.0.0.1:5170", $"127.0.0.1:{port}", StringComparison.Ordinal);
        var command = unit.ExecStart.Select(Moved).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"systemd is {(Directory.Exists("/run/systemd/system") ? "running here, but the test does not install units" : "not running here")}: ran the unit's command line, {string.Join(' ', command)}");
        var start = new ProcessStartInfo(command[0], command.Skip(1)) { WorkingDirectory = Moved(unit.WorkingDirectory), RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in unit.Environment)
        {
            start.Environment[name] = Moved(value);
        }

        start.Environment["OPENAI_API_KEY"] = ""; // what the EnvironmentFile would hold: none here, so the demo runs
        start.Environment["DOTNET_ROOT"] = "/nonexistent"; // self-contained: no installed .NET is needed
        using var app = Process.Start(start)!;
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var waited = Stopwatch.StartNew();
            while (true)
            {
                Assert.False(app.HasExited, "The app exited.");
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "The app did not answer /alive within a minute.");
                try
                {
                    using var alive = await client.GetAsync("/alive", TestContext.Current.CancellationToken);
                    if (alive.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            Assert.Contains("Demo data", await client.GetStringAsync("/", TestContext.Current.CancellationToken), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode);
            Assert.True(File.Exists(Path.Combine(output, "BatchDashboard.Server")), "the self-contained app's own executable");
            Assert.True(File.Exists(Path.Combine(output, "libcoreclr.so")), "the runtime, published with the app");
        }
        finally
        {
            app.Kill(entireProcessTree: true);
            await app.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The <c>[Service]</c> settings of the unit in docs/DEPLOYMENT.md, read with systemd's rules for them.</summary>
    private sealed record SystemdUnit(string WorkingDirectory, IReadOnlyList<string> ExecStart, IReadOnlyList<(string Name, string Value)> Environment)
    {
        public static SystemdUnit FromDeployment(string markdown)
        {
            var block = Regex.Match(markdown, "```ini\\n(?<unit># /etc/systemd/system/batch-dashboard.service\\n.*?)```", RegexOptions.Singleline);
            Assert.True(block.Success, "docs/DEPLOYMENT.md has the unit");
            string? directory = null;
            IReadOnlyList<string> exec = [];
            var environment = new List<(string, string)>();
            var inService = false;
            foreach (var raw in block.Groups["unit"].Value.Split('\n'))
            {
                var line = raw.Trim();
                if (line.StartsWith('['))
                {
                    inService = line == "[Service]";
                    continue;
                }

                if (!inService || line.Length == 0 || line[0] is '#' or ';')
                {
                    continue;
                }

                var equals = line.IndexOf('=', StringComparison.Ordinal);
                var (key, value) = (line[..equals], line[(equals + 1)..]);
                switch (key)
                {
                    case "WorkingDirectory": directory = value; break;
                    case "ExecStart": exec = Words(value); break;
                    case "Environment":
                        foreach (var assignment in Words(value))
                        {
                            var split = assignment.IndexOf('=', StringComparison.Ordinal);
                            Assert.True(split > 0, $"Environment= holds an assignment: {assignment}");
                            environment.Add((assignment[..split], assignment[(split + 1)..]));
                        }

                        break;
                }
            }

            Assert.NotNull(directory);
            Assert.NotEmpty(exec);
            return new SystemdUnit(directory, exec, environment);
        }

        /// <summary>Words split at spaces, a double-quoted one kept whole (without its quotes), as systemd splits them.</summary>
        private static List<string> Words(string value) =>
            [.. Regex.Matches(value, "\"(?<q>[^\"]*)\"|(?<w>\\S+)").Select(m => m.Groups["q"].Success ? m.Groups["q"].Value : m.Groups["w"].Value)];
    }

    [GeneratedRegex("(?:href|src)=\"(?<path>[^\"]+\\.[a-z0-9]{10}\\.(?:css|js|svg))\"")]
    private static partial Regex AssetReference();

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments, string directory)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }


    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
