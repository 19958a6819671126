using System.Text;
using System.Text.RegularExpressions;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>
/// Capacity on the demo, whose emulator holds new batches to OpenAI's tier-1 queued-token limits: an upload larger
/// than its model's limit is warned about before sending, fails as the API would when sent anyway, and teaches the
/// capacity view the limit.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CapacityJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly DashboardAppFactory _app = new DashboardAppFactory().WithDemo();
    private Uri _baseAddress = default!;

    public async ValueTask InitializeAsync()
    {
        _baseAddress = _app.StartOnLoopback();
        await _app.WaitForSyncAsync(s => s.ConnectionId == "demo" && s.Phase == SyncPhase.Polling);
    }

    [Fact]
    public async Task AnUploadOverItsModelsLimit_IsWarnedAbout_AndSentAnyway_FailsAsTheApiWould()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;
        await page.GotoAsync("/batches/new");
        await session.WaitForInteractiveAsync();

        // About 120,000 prompt tokens of gpt-4o, whose tier-1 limit is 90,000.
        var text = string.Join(' ', Enumerable.Repeat("Summarize the customer's complaint about the delayed refund and suggest the next step for the agent.", 12));
        var lines = string.Concat(Enumerable.Range(1, 500).Select(i =>
            $$$"""{"custom_id": "q-{{{i}}}", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o", "messages": [{"role": "user", "content": "{{{text}}} Ticket {{{i}}}."}]}}""" + "\n"));
        await session.ChooseFileAsync(new FilePayload { Name = "big.jsonl", MimeType = "application/jsonl", Buffer = Encoding.UTF8.GetBytes(lines) });

        var fit = page.GetByTestId("capacity-fit");
        await Expect(fit).ToContainTextAsync(new Regex("On its own, [\\d,]+ prompt tokens are more than gpt-4o's limit of 90,000 \\(OpenAI's published limit for usage tier 1\\)"), new() { Timeout = 15_000 });
        await Expect(page.GetByTestId("create-batch")).ToHaveTextAsync("Send anyway");
        var violations = await Accessibility.SeriousViolationsAsync(page);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
        await session.ScreenshotAsync("capacity-1-warned");

        await page.GetByTestId("create-batch").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/batches/batch_[^/?]+\\?connection=demo$"));
        var id = Regex.Match(page.Url, "batches/(batch_[^/?]+)").Groups[1].Value;
        await Expect(page.GetByTestId("detail-status")).ToHaveTextAsync("failed", new() { Timeout = 30_000 });
        await Expect(page.GetByText("Enqueued token limit reached for gpt-4o in organization org-emulator. Limit: 90,000 enqueued tokens.").First).ToBeVisibleAsync();
        await Expect(page.GetByTestId("fix-and-resend")).ToHaveTextAsync("Send again…");
        await session.ScreenshotAsync("capacity-2-failed");

        // The capacity view now has the limit that failure taught, in either theme without serious violations.
        var found = new List<string>();
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await page.EmulateMediaAsync(new() { ColorScheme = scheme });
            await page.GotoAsync("/capacity");
            await session.WaitForInteractiveAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Capacity", Exact = true })).ToBeVisibleAsync();
            await Expect(page.GetByTestId("queue").First).ToBeVisibleAsync();
            found.AddRange((await Accessibility.SeriousViolationsAsync(page)).Select(v => $"capacity, {scheme}: {v}"));
        }

        await session.ScreenshotAsync("capacity-3-queues");
        Assert.True(found.Count == 0, string.Join(Environment.NewLine, found));
        var json = await (await page.APIRequest.GetAsync("api/capacity/fit?connection=demo&model=gpt-4o&tokens=1")).TextAsync();
        Assert.Contains($"\"source\":\"learned\",\"model\":\"gpt-4o\",\"batch_id\":\"{id}\"", json, StringComparison.Ordinal);
        Assert.Empty(session.Errors);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
