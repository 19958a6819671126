using System.Net;
using System.Text;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace BatchDashboard.Dashboard.Tests.Hosting;

/// <summary>
/// A canary API key, planted the way a user sets theirs (configuration), and an upstream that even repeats it
/// in its error messages: no page, API answer, export, download, error page, log line or byte of the SQLite files
/// may carry it.
/// </summary>
public sealed class SecretCanaryTests : IAsyncDisposable
{
    private static readonly string Canary = "sk-canary-" + Guid.NewGuid().ToString("N");
    private readonly DashboardAppFactory _app = new();
    private readonly FakeBatchApi _api;

    public SecretCanaryTests()
    {
        _api = _app.WithFakeUpstream();
        _app.WithSetting("OPENAI_API_KEY", Canary);
        _api.Add(TestBatches.Json("batch_canary_running", "in_progress"));
        _api.Add(TestBatches.Json("batch_canary_failed", "failed", created: TestBatches.Created - 10));
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheKey_IsNeverInAResponse_ALogLine_OrTheCacheFiles()
    {
        using var client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);

        var answers = new StringBuilder();
        string[] paths =
        [
            "/", "/batches", "/batches?q=canary&status=failed", "/batches/batch_canary_running", "/batches/batch_canary_failed",
            "/batches/batch_canary_failed/results", "/batches/new", "/settings", "/audit", "/signin", "/status/500", "/error",
            "/batches/batch_missing", "/nowhere", "/api/batches", "/api/batches/batch_canary_running", "/api/batches/export.csv",
            "/api/batches/export.json", "/api/batches/batch_canary_failed/results/summary", "/api/batches/batch_canary_failed/files/input",
            "/api/batches/batch_missing", "/api/batches?limit=nope", "/healthz", "/embed/batches",
        ];
        await ReadAllAsync(client, paths, answers);

        // Now the API fails, echoing the key, as a careless proxy might; the sync and every page go on.
        _api.Fault = async context =>
        {
            var status = context.Request.Path.Value!.Contains("files", StringComparison.Ordinal) ? 500 : 401;
            var message = $"Incorrect API key provided: {Canary}. Authorization: Bearer {Canary}";
            await ApiTestServer.WriteJsonAsync(context,
                "{\"error\":{\"message\":\"" + message + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}", status);
            return true;
        };
        await _app.WaitForSyncAsync(s => s.LastError is not null);
        await ReadAllAsync(client, paths, answers);

        Assert.DoesNotContain(Canary, answers.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, string.Join('\n', _app.Logs.Lines), StringComparison.Ordinal);
        Assert.Contains(_app.Logs.Lines, line => line.Contains("invalid_api_key", StringComparison.Ordinal)); // the failure itself is logged

        SqliteConnection.ClearAllPools();
        var folder = Path.GetDirectoryName(_app.Database.FilePath)!;
        foreach (var file in Directory.EnumerateFiles(folder, Path.GetFileName(_app.Database.FilePath) + "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file, Token);
            Assert.False(Encoding.UTF8.GetString(bytes).Contains(Canary, StringComparison.Ordinal), $"{file} holds the key");
        }
    }

    private static async Task ReadAllAsync(HttpClient client, IEnumerable<string> paths, StringBuilder answers)
    {
        foreach (var path in paths)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd("text/html");
            using var response = await client.SendAsync(request, Token);
            Assert.True(response.StatusCode != HttpStatusCode.InternalServerError || path.Contains("500", StringComparison.Ordinal) || path == "/error", $"{path}: {response.StatusCode}");
            answers.Append(path).Append(' ').Append(response.StatusCode).Append('\n').Append(response.Headers).Append(response.Content.Headers);
            answers.Append(await response.Content.ReadAsStringAsync(Token)).Append('\n');
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
