using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>
/// Webhooks on the demo, whose emulator sends its batch events to the dashboard's own <c>webhooks/demo</c>: with the
/// poll held to ten minutes, a new batch's end still reaches the open list as it happens.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class WebhookJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly DashboardAppFactory _app = new DashboardAppFactory().WithDemo()
        .WithSetting("BatchDashboard:Sync:ActivePollInterval", "00:10:00")
        .WithSetting("BatchDashboard:Sync:IdlePollInterval", "00:10:00");

    private Uri _baseAddress = default!;

    public async ValueTask InitializeAsync()
    {
        _baseAddress = _app.StartOnLoopback();
        await _app.WaitForSyncAsync(s => s.ConnectionId == "demo" && s.Phase == SyncPhase.Polling);
    }

    [Fact]
    public async Task ABatchsEnd_ReachesTheOpenList_ByWebhook_LongBeforeThePoll()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;
        await page.GotoAsync("/batches/new");
        await session.WaitForInteractiveAsync();
        var lines = string.Concat(Enumerable.Range(1, 5).Select(i =>
            $$$"""{"custom_id": "w-{{{i}}}", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello {{{i}}}."}]}}""" + "\n"));
        await session.ChooseFileAsync(new FilePayload { Name = "hello.jsonl", MimeType = "application/jsonl", Buffer = Encoding.UTF8.GetBytes(lines) });
        await Expect(page.GetByTestId("capacity-fit")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.GetByTestId("create-batch").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/batches/batch_[^/?]+\\?connection=demo$"));
        var created = Stopwatch.StartNew();
        var id = Regex.Match(page.Url, "batches/(batch_[^/?]+)").Groups[1].Value;

        // When the cache last stored the batch: the webhook's fetch, with the poll ten minutes away.
        long stored = 0;
        using var _ = ((IServiceProvider)_app.Services).GetRequiredService<IBatchChangeNotifications>().Subscribe(change =>
        {
            if (change.ChangedBatchIds.Contains(id))
            {
                Interlocked.Exchange(ref stored, Stopwatch.GetTimestamp());
            }

            return Task.CompletedTask;
        });
        await page.GotoAsync("/batches");
        await session.WaitForInteractiveAsync();
        var row = page.Locator($"tr:has(td[data-batch-id=\"{id}\"])");
        // The emulator's batch validates for 5 s, runs its 5 requests and finalizes for 5 s: about 10 s. The next poll
        // is ten minutes away, so only the webhook can bring its end.
        await Expect(row.GetByText("completed", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 40_000 });
        var shownAfterStored = Stopwatch.GetElapsedTime(Interlocked.Read(ref stored));
        // The figure, for the notes: the open page's share of "within a second of the delivery" (the fetch before it is a local GET).
        TestContext.Current.TestOutputHelper?.WriteLine($"Webhook journey: created to shown completed {created.Elapsed.TotalSeconds:F1} s (the batch takes about 10.3 s); stored to shown {shownAfterStored.TotalMilliseconds:F0} ms");
        Assert.True(created.Elapsed < TimeSpan.FromSeconds(30), $"The end took {created.Elapsed.TotalSeconds:F1} s to show.");
        Assert.True(shownAfterStored < TimeSpan.FromSeconds(5), $"The open list showed the end {shownAfterStored.TotalMilliseconds:F0} ms after it was stored.");
        await session.ScreenshotAsync("webhooks-list-completed");
        Assert.Empty(session.Errors);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
