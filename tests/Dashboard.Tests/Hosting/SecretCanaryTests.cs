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

    // The webhook secret's canary: its base64 part is what a careless log line would show.
    private static readonly string WebhookCanary = "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static readonly string SlackCanary = "T0/B0/slack-canary-" + Guid.NewGuid().ToString("N");

    private static readonly string SmtpCanary = "smtp-canary-" + Guid.NewGuid().ToString("N");
    private readonly DashboardAppFactory _app = new();
    private readonly FakeBatchApi _api;
    private readonly ApiTestServer _slack = new(_ => Task.CompletedTask);

    public SecretCanaryTests()
    {
        _api = _app.WithFakeUpstream();
        _app.WithSetting("OPENAI_API_KEY", Canary);
        _app.WithSetting("OPENAI_WEBHOOK_SECRET", WebhookCanary);
        // Notification channels' secrets: a Slack address (its path is the secret) and an SMTP password.
        // The factory's own HttpClient logging would print a request's address at this level: not the notifications'.
        _app.WithSetting("Logging:LogLevel:System.Net.Http.HttpClient", "Information")
            .WithSetting("CANARY_SLACK_URL", _slack.BaseUrl + "/services/" + SlackCanary)
            .WithSetting("CANARY_SMTP_PASSWORD", SmtpCanary)
            .WithSetting("BatchDashboard:Notifications:Channels:0:Id", "chat")
            .WithSetting("BatchDashboard:Notifications:Channels:0:Kind", "Slack")
            .WithSetting("BatchDashboard:Notifications:Channels:0:UrlName", "CANARY_SLACK_URL")
            .WithSetting("BatchDashboard:Notifications:Channels:1:Id", "mail")
            .WithSetting("BatchDashboard:Notifications:Channels:1:Kind", "Email")
            .WithSetting("BatchDashboard:Notifications:Channels:1:Host", "127.0.0.1")
            // Port 1: closed everywhere, so the mail fails at once (a port found free earlier may be another test's by now).
            .WithSetting("BatchDashboard:Notifications:Channels:1:Port", "1")
            .WithSetting("BatchDashboard:Notifications:Channels:1:UserName", "batches")
            .WithSetting("BatchDashboard:Notifications:Channels:1:PasswordName", "CANARY_SMTP_PASSWORD")
            .WithSetting("BatchDashboard:Notifications:Channels:1:From", "batches@example.com")
            .WithSetting("BatchDashboard:Notifications:Channels:1:To:0", "oncall@example.com")
            .WithSetting("BatchDashboard:Notifications:Rules:0:Name", "failures")
            .WithSetting("BatchDashboard:Notifications:Rules:0:When:0", "failed")
            .WithSetting("BatchDashboard:Notifications:Rules:0:Channels:0", "chat")
            .WithSetting("BatchDashboard:Notifications:Rules:0:Channels:1", "mail");
        _api.Add(TestBatches.Json("batch_canary_running", "in_progress"));
        _api.Add(TestBatches.Json("batch_canary_failed", "failed", created: TestBatches.Created - 10));
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheKeyAndTheWebhookSecret_AreNeverInAResponse_ALogLine_OrTheCacheFiles()
    {
        using var client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);

        var answers = new StringBuilder();
        string[] paths =
        [
            "/", "/batches", "/batches?q=canary&status=failed", "/batches/batch_canary_running", "/batches/batch_canary_failed",
            "/batches/batch_canary_failed/results", "/batches/new", "/settings", "/audit", "/notifications", "/signin", "/status/500", "/error",
            "/batches/batch_missing", "/nowhere", "/api/batches", "/api/batches/batch_canary_running", "/api/batches/export.csv",
            "/api/batches/export.json", "/api/batches/batch_canary_failed/results/summary", "/api/batches/batch_canary_failed/files/input",
            "/api/batches/batch_missing", "/api/batches?limit=nope", "/healthz", "/embed/batches",
        ];
        await ReadAllAsync(client, paths, answers);

        // Webhooks, signed with the secret and forged, answered and logged.
        BatchDashboard.Core.Connections.ConnectionCatalog.TryReadWebhookSecret(WebhookCanary, out var key);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var body = """{"id":"evt_canary","object":"event","type":"batch.completed","created_at":1764936000,"data":{"id":"batch_canary_running"}}""";
        foreach (var signature in new[] { BatchDashboard.Core.Webhooks.WebhookSignature.Sign(key, "wh_canary", timestamp, Encoding.UTF8.GetBytes(body)), "v1,Zm9yZ2Vk" })
        {
            using var delivery = new HttpRequestMessage(HttpMethod.Post, "/webhooks/openai") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            delivery.Headers.Add("webhook-id", "wh_canary");
            delivery.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            delivery.Headers.Add("webhook-signature", signature);
            using var answer = await client.SendAsync(delivery, Token);
            answers.Append(answer.StatusCode).Append(answer.Headers).Append(await answer.Content.ReadAsStringAsync(Token));
        }

        // A batch fails: the rule posts to Slack (its address holds the canary) and mails (the server is down: the
        // password is never sent, and the failure is said without it). Both are tried, logged and listed.
        var log = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<BatchDashboard.Core.Notifications.INotificationLog>(_app.Services);
        var tried = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (log.Subscribe(async () =>
        {
            if ((await log.ListAsync(10, Token)).Count(d => d.Attempts > 0) >= 2)
            {
                tried.TrySetResult();
            }
        }))
        {
            _api.Update("batch_canary_running", b =>
            {
                b["status"] = "failed";
                b["failed_at"] = TestBatches.Created + 600;
            });
            await tried.Task.WaitAsync(TimeSpan.FromSeconds(30), Token);
        }

        Assert.Single(_slack.Requests);
        await ReadAllAsync(client, ["/notifications"], answers);

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

        foreach (var secret in new[] { Canary, WebhookCanary, WebhookCanary[6..], SlackCanary, SmtpCanary })
        {
            Assert.DoesNotContain(secret, answers.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, string.Join('\n', _app.Logs.Lines), StringComparison.Ordinal);
        }

        Assert.Contains(_app.Logs.Lines, line => line.Contains("A webhook for connection openai was refused: BadSignature", StringComparison.Ordinal));
        Assert.Contains(_app.Logs.Lines, line => line.Contains("invalid_api_key", StringComparison.Ordinal)); // the failure itself is logged

        SqliteConnection.ClearAllPools();
        var folder = Path.GetDirectoryName(_app.Database.FilePath)!;
        foreach (var file in Directory.EnumerateFiles(folder, Path.GetFileName(_app.Database.FilePath) + "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file, Token);
            var text = Encoding.UTF8.GetString(bytes);
            Assert.False(text.Contains(Canary, StringComparison.Ordinal), $"{file} holds the key");
            Assert.False(text.Contains(WebhookCanary[6..], StringComparison.Ordinal), $"{file} holds the webhook secret");
            Assert.False(text.Contains(SlackCanary, StringComparison.Ordinal) || text.Contains(SmtpCanary, StringComparison.Ordinal), $"{file} holds a channel's secret");
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

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _slack.DisposeAsync();
    }
}
