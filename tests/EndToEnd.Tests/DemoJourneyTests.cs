using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using static Microsoft.Playwright.Assertions;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>What a new user sees on first run with no key: a populated demo that moves on its own.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DemoJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly DashboardAppFactory _app = new DashboardAppFactory().WithDemo();
    private Uri _baseAddress = default!;

    public ValueTask InitializeAsync()
    {
        _baseAddress = _app.StartOnLoopback();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task WithNoKey_TheDashboardShowsAPopulatedDemo_ThatMovesWithoutAReload()
    {
        await _app.WaitForSyncAsync(s => s.ConnectionId == "demo" && s.Phase == SyncPhase.Polling);
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;

        await page.GotoAsync("/");
        await session.WaitForInteractiveAsync();

        await Expect(page.GetByTestId("demo-banner")).ToContainTextAsync("Demo data");
        await Expect(page.GetByTestId("batch-total")).ToHaveTextAsync("240 cached");
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(50);
        var running = page.Locator("tr:has(.status-in-progress)").First;
        var id = await running.Locator("td[data-batch-id]").GetAttributeAsync("data-batch-id");
        var requests = page.Locator($"tr:has(td[data-batch-id=\"{id}\"]) td.number").First;
        var before = await requests.InnerTextAsync();
        await session.ScreenshotAsync("demo-first-run");

        // The emulator's running batches complete requests every second; the next poll brings them to the page.
        await Expect(requests).Not.ToHaveTextAsync(before, new() { Timeout = 15_000 });
        Assert.Empty(session.Errors);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
