using System.Diagnostics;
using System.Text;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>The built standalone app (<c>src/Server</c>) run as a process of its own, as a deployment runs it; killed hard on dispose.</summary>
internal sealed class AppProcess : IDisposable
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private readonly StringBuilder _output = new();

    private AppProcess(string name, Process process, Uri baseAddress)
    {
        Name = name;
        Process = process;
        BaseAddress = baseAddress;
        Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = baseAddress };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public Process Process { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return $"--- {Name} ---\n{_output}";
            }
        }
    }

    public static AppProcess Start(string name, Dictionary<string, string> settings)
    {
        // The app as built beside these tests (same configuration), run from its project folder (its content root).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var project = Path.Combine(RepoPaths.Root, "src", "Server");
        var app = Path.Combine(project, "bin", configuration, "net10.0", "BatchDashboard.Server.dll");
        var port = Loopback.FreePort();
        var start = new ProcessStartInfo("dotnet", ["exec", app])
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Information";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        return new AppProcess(name, Process.Start(start)!, new Uri($"http://127.0.0.1:{port}/"));
    }

    public async Task WaitUntilHealthyAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (Process.HasExited)
            {
                // Waits for the last of its output too.
                Process.WaitForExit();
                break;
            }

            try
            {
                using var response = await Client.GetAsync("/healthz", Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, Token);
        }

        Assert.Fail($"The app ({Name}) did not become healthy.\n{Output}");
    }

    /// <summary>As a crash or an OOM kill: no stopping, no giving up the lease.</summary>
    public void Kill()
    {
        Process.Kill(entireProcessTree: true);
        Process.WaitForExit();
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Kill();
        }

        Process.Dispose();
        Client.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
