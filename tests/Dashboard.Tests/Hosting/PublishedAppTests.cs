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
