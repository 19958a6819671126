using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>
/// The standalone app's OpenTelemetry against a real OTLP receiver: the .NET Aspire dashboard (its self-contained
/// binary from NuGet), read back through its telemetry API. A sync cycle arrives as a span with its API calls as
/// children, logs arrive, metrics arrive (by name, through the optional Prometheus endpoint too), and the API key is
/// in none of it.
/// </summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private const string CanaryKey = "sk-canary-telemetry-5b1d0e";
    private readonly FakeBatchApi _api = new();
    private readonly TemporaryDatabase _database = new();
    private ApiTestServer _upstream = default!;
    private Process? _receiver;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _api.Add(TestBatches.Json("batch_running", "in_progress"));
        _api.Add(TestBatches.Json("batch_done", "completed", created: TestBatches.Created - 100));
        _upstream = new ApiTestServer(_api.HandleAsync);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_receiver is { HasExited: false })
        {
            _receiver.Kill(entireProcessTree: true);
            await _receiver.WaitForExitAsync();
        }

        _receiver?.Dispose();
        await _upstream.DisposeAsync();
        _database.Dispose();
    }

    [Theory]
    [InlineData("http/protobuf")]
    [InlineData("grpc")]
    public async Task WithAnOtlpEndpoint_SyncTracesLogsAndMetricsArrive_WithoutTheKey(string protocol)
    {
        var (ui, otlp) = StartReceiver(protocol);
        using var receiver = new HttpClient { BaseAddress = ui };
        using var app = AppProcess.Start("with telemetry", new()
        {
            ["OPENAI_API_KEY"] = CanaryKey,
            ["OPENAI_BASE_URL"] = _upstream.BaseUrl.ToString(),
            ["ConnectionStrings__BatchCache"] = _database.ConnectionString,
            ["BatchDashboard__Sync__ActivePollInterval"] = "00:00:01",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol,
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            ["BatchDashboard__Telemetry__Prometheus"] = "true",
        });
        await app.WaitUntilHealthyAsync();
        (await app.Client.GetAsync("/batches", Token)).EnsureSuccessStatusCode();
        (await app.Client.GetAsync("/batches/batch_running", Token)).EnsureSuccessStatusCode();

        // A sync cycle's span, its connection named by id, with the API calls it made as its children.
        var spans = await WaitForAsync(receiver, "/api/telemetry/spans?limit=500", json =>
        {
            var all = Spans(json).ToList();
            return all.Any(s => s.Scope == "BatchDashboard.Core" && s.Name == "sync cycle"
                && all.Any(child => child.Scope == "System.Net.Http" && child.Parent == s.Id))
                && all.Any(s => s.Scope == "Microsoft.AspNetCore" && s.Json.Contains("\"batch_running\"", StringComparison.Ordinal)); // the batch's page, its id an attribute
        }, app);
        var cycle = Spans(spans).First(s => s.Name == "sync cycle");
        Assert.Contains("\"batch_dashboard.connection\"", cycle.Json, StringComparison.Ordinal);
        Assert.Contains("\"openai\"", cycle.Json, StringComparison.Ordinal);

        var logs = await WaitForAsync(receiver, "/api/telemetry/logs?limit=500",
            json => json.Contains("BatchDashboard.Core.Sync.ConnectionSyncer", StringComparison.Ordinal), app);
        var resources = await WaitForAsync(receiver, "/api/telemetry/resources",
            json => json.Contains("\"hasMetrics\":true", StringComparison.Ordinal), app);
        Assert.Contains("\"name\":\"batch-dashboard\"", resources, StringComparison.Ordinal);

        // Our metrics by name, as the optional Prometheus endpoint gives them (the Aspire dashboard has no JSON for metrics).
        var metrics = await app.Client.GetStringAsync("/metrics", Token);
        foreach (var name in new[] { "batch_dashboard_sync_cycle_duration_seconds", "batch_dashboard_api_calls", "batch_dashboard_batches",
            "batch_dashboard_requests_in_flight", "batch_dashboard_sync_imported", "http_server_request_duration_seconds" })
        {
            Assert.Contains(name, metrics, StringComparison.Ordinal);
        }

        foreach (var exported in new[] { spans, logs, metrics, await receiver.GetStringAsync("/api/telemetry/spans?limit=2000", Token) })
        {
            Assert.DoesNotContain(CanaryKey, exported, StringComparison.Ordinal);
            Assert.DoesNotContain("canary-telemetry", exported, StringComparison.Ordinal);
        }
    }

    private sealed record Span(string Scope, string Name, string Id, string? Parent, string Json);

    private static IEnumerable<Span> Spans(string json)
    {
        using var document = JsonDocument.Parse(json);
        foreach (var resource in document.RootElement.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
        {
            foreach (var scope in resource.GetProperty("scopeSpans").EnumerateArray())
            {
                var scopeName = scope.GetProperty("scope").GetProperty("name").GetString()!;
                foreach (var span in scope.GetProperty("spans").EnumerateArray())
                {
                    yield return new Span(scopeName, span.GetProperty("name").GetString()!, span.GetProperty("spanId").GetString()!,
                        span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() : null, span.GetRawText());
                }
            }
        }
    }

    private static async Task<string> WaitForAsync(HttpClient receiver, string path, Func<string, bool> arrived, AppProcess app)
    {
        var waited = Stopwatch.StartNew();
        var json = "";
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            json = await receiver.GetStringAsync(path, Token);
            if (arrived(json))
            {
                return json;
            }

            await Task.Delay(200, Token);
        }

        Assert.Fail($"Nothing of the kind arrived at {path}:\n{json[..Math.Min(json.Length, 2_000)]}\n{app.Output}");
        return json;
    }

    /// <summary>The Aspire dashboard on two free loopback ports: its UI and API, and its OTLP receiver for the protocol.</summary>
    private (Uri Ui, Uri Otlp) StartReceiver(string protocol)
    {
        var binary = typeof(TelemetryTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AspireDashboard").Value!;
        Assert.True(File.Exists(binary), $"The Aspire dashboard was not found at {binary}: restore the test project (PackageDownload).");
        var ui = new Uri($"http://127.0.0.1:{Loopback.FreePort()}/");
        var otlp = new Uri($"http://127.0.0.1:{Loopback.FreePort()}/");
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["ASPNETCORE_URLS"] = ui.ToString().TrimEnd('/');
        start.Environment[protocol == "grpc" ? "DOTNET_DASHBOARD_OTLP_ENDPOINT_URL" : "DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = otlp.ToString().TrimEnd('/');
        start.Environment["DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        _receiver = Process.Start(start)!;
        _receiver.OutputDataReceived += (_, _) => { };
        _receiver.ErrorDataReceived += (_, _) => { };
        _receiver.BeginOutputReadLine();
        _receiver.BeginErrorReadLine();
        return (ui, otlp);
    }
}
