using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>
/// Notifications on the demo: an admin adds a rule for failed batches in the settings page; it mails a real SMTP
/// server and posts to a Slack-compatible endpoint when a demo batch fails; the delivery log shows both, and "Send
/// again" sends one more.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class NotificationJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly DashboardAppFactory _app = new DashboardAppFactory().WithDemo();
    private readonly ConcurrentQueue<string> _posts = new();
    private SmtpTestServer _smtp = default!;
    private ApiTestServer _slack = default!;
    private Uri _baseAddress = default!;

    public async ValueTask InitializeAsync()
    {
        _smtp = await SmtpTestServer.StartAsync();
        _slack = new ApiTestServer(async context => _posts.Enqueue(await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted)));
        _app.WithSetting("TEAM_SLACK_URL", _slack.BaseUrl + "/services/T1/B2/demo")
            .WithSetting("BatchDashboard:Notifications:Channels:0:Id", "team-slack")
            .WithSetting("BatchDashboard:Notifications:Channels:0:Kind", "Slack")
            .WithSetting("BatchDashboard:Notifications:Channels:0:UrlName", "TEAM_SLACK_URL")
            .WithSetting("BatchDashboard:Notifications:Channels:1:Id", "oncall-mail")
            .WithSetting("BatchDashboard:Notifications:Channels:1:Kind", "Email")
            .WithSetting("BatchDashboard:Notifications:Channels:1:Host", "127.0.0.1")
            .WithSetting("BatchDashboard:Notifications:Channels:1:Port", _smtp.Port.ToString(CultureInfo.InvariantCulture))
            .WithSetting("BatchDashboard:Notifications:Channels:1:Security", "None")
            .WithSetting("BatchDashboard:Notifications:Channels:1:From", "Batch Dashboard <batches@example.com>")
            .WithSetting("BatchDashboard:Notifications:Channels:1:To:0", "oncall@example.com");
        _baseAddress = _app.StartOnLoopback();
        await _app.WaitForSyncAsync(s => s.ConnectionId == "demo" && s.Phase == SyncPhase.Polling);
    }

    [Fact]
    public async Task ADemoBatchThatFails_IsMailedAndPosted_AndTheLogSendsOneAgain()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;

        // The rule, added in the settings page: failed batches (ticked to start with), to both channels.
        await page.GotoAsync("/settings");
        await session.WaitForInteractiveAsync();
        await page.GetByTestId("add-rule").ClickAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Name" }).FillAsync("Failures");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "oncall-mail: email to oncall@example.com", Exact = false }).CheckAsync();
        var dialogViolations = await Accessibility.SeriousViolationsAsync(page);
        Assert.True(dialogViolations.Count == 0, "rule dialog: " + string.Join(Environment.NewLine, dialogViolations));
        await session.ScreenshotAsync("notifications-rule-dialog");
        await page.GetByTestId("rule-save").ClickAsync();
        await Expect(page.GetByText("The rule was added: it applies from now on.")).ToBeVisibleAsync();
        var rule = page.GetByTestId("rules-table").Locator("tbody tr");
        await Expect(rule).ToHaveCountAsync(1);
        await Expect(rule).ToContainTextAsync(new Regex(@"Failures\s+failed\s+every batch\s+team-slack, oncall-mail\s+here, by local"));
        await session.ScreenshotAsync("notifications-rule-added");

        await page.GotoAsync("/batches/new");
        await session.WaitForInteractiveAsync();
        // More prompt tokens than gpt-4o's tier-1 queue takes: the demo's emulator fails it at validation.
        var text = string.Join(' ', Enumerable.Repeat("Summarize the customer's complaint about the delayed refund and suggest the next step for the agent.", 12));
        var lines = string.Concat(Enumerable.Range(1, 500).Select(i =>
            $$$"""{"custom_id": "q-{{{i}}}", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o", "messages": [{"role": "user", "content": "{{{text}}} Ticket {{{i}}}."}]}}""" + "\n"));
        await session.ChooseFileAsync(new FilePayload { Name = "big.jsonl", MimeType = "application/jsonl", Buffer = Encoding.UTF8.GetBytes(lines) });
        await Expect(page.GetByTestId("create-batch")).ToHaveTextAsync("Send anyway", new() { Timeout = 15_000 });
        await page.GetByTestId("create-batch").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/batches/batch_[^/?]+\\?connection=demo$"));
        var id = Regex.Match(page.Url, "batches/(batch_[^/?]+)").Groups[1].Value;
        await Expect(page.GetByTestId("detail-status")).ToHaveTextAsync("failed", new() { Timeout = 30_000 });

        // The delivery log fills as the messages go: both sent, each with the other end's answer.
        await page.GotoAsync("/notifications");
        await session.WaitForInteractiveAsync();
        var rows = page.GetByTestId("notifications-table").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(2, new() { Timeout = 20_000 });
        await Expect(page.GetByTestId("delivery-state").Filter(new() { HasText = "sent" })).ToHaveCountAsync(2, new() { Timeout = 20_000 });
        await Expect(page.GetByTestId("delivery-answer").Filter(new() { HasText = "accepted by 127.0.0.1" })).ToHaveCountAsync(1);

        var mail = Assert.Single(_smtp.Messages);
        Assert.Equal($"Batch {id} failed · Demo", mail.Subject);
        Assert.Contains($"/batches/{id}?connection=demo", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("token_limit_exceeded", mail.TextBody, StringComparison.Ordinal);
        var post = System.Text.Json.JsonDocument.Parse(Assert.Single(_posts)).RootElement.GetProperty("text").GetString();
        Assert.Contains($"/batches/{id}?connection=demo|Batch {id} failed · Demo>", post, StringComparison.Ordinal);

        foreach (var scheme in new[] { ColorScheme.Dark, ColorScheme.Light })
        {
            await page.EmulateMediaAsync(new() { ColorScheme = scheme });
            foreach (var path in new[] { "/settings", "/notifications" })
            {
                await page.GotoAsync(path);
                await session.WaitForInteractiveAsync();
                var violations = await Accessibility.SeriousViolationsAsync(page);
                Assert.True(violations.Count == 0, $"{path}, {scheme}: " + string.Join(Environment.NewLine, violations));
            }

            await Expect(rows).ToHaveCountAsync(2);
        }

        await session.ScreenshotAsync("notifications-log");
        await rows.Filter(new() { HasText = "team-slack" }).GetByTestId("send-again").ClickAsync();
        await Expect(page.GetByText($"The failed notification for {id} goes to team-slack again.")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("delivery-state").Filter(new() { HasText = "sent" })).ToHaveCountAsync(2, new() { Timeout = 20_000 });
        Assert.Equal(2, _posts.Count);
        Assert.Single(_smtp.Messages);
        Assert.Empty(session.Errors);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _slack.DisposeAsync();
        await _smtp.DisposeAsync();
    }
}
