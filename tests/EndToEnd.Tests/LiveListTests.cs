using System.Text.RegularExpressions;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BatchDashboard.EndToEnd.Tests;

[Collection(BrowserCollection.Name)]
public sealed class LiveListTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly DashboardAppFactory _app = new();
    private FakeBatchApi _api = default!;
    private Uri _baseAddress = default!;

    public ValueTask InitializeAsync()
    {
        _api = _app.WithFakeUpstream();
        _api.Add(TestBatches.Json("batch_running", "in_progress", created: TestBatches.Created));
        _baseAddress = _app.StartOnLoopback();
        return ValueTask.CompletedTask;
    }

    /// <summary>The batch list, interactive, once the first sync is over.</summary>
    private async Task<PageSession> OpenListAsync()
    {
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);
        var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        try
        {
            await session.Page.GotoAsync("/batches");
            await session.WaitForInteractiveAsync();
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task UpstreamChanges_AppearInTheOpenPage_WithoutAReload()
    {
        await using var session = await OpenListAsync();
        var page = session.Page;
        var running = page.Locator("tr:has(td[data-batch-id=\"batch_running\"])");
        // Exact: a flag such as "in progress for 3 d" holds the same words.
        await Expect(running.GetByText("in progress", new() { Exact = true })).ToBeVisibleAsync();

        _api.Add(TestBatches.Json("batch_brand_new", "validating", created: TestBatches.Created + 60));
        _api.Update("batch_running", b => b["status"] = "finalizing");

        await Expect(page.Locator("tr:has(td[data-batch-id=\"batch_brand_new\"])")).ToBeVisibleAsync();
        await Expect(running.GetByText("finalizing", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("batch-total")).ToHaveTextAsync("2 cached");
        await session.ScreenshotAsync("batches-live-list");
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task ALiveUpdate_MarksTheRowsItBrought_AndKeyboardFocusStaysOnTheSameRow()
    {
        await using var session = await OpenListAsync();
        var page = session.Page;
        // A row is one link (one tab stop), named by its batch id.
        var link = page.GetByRole(AriaRole.Link, new() { Name = "batch_running", Exact = true });
        await link.FocusAsync();
        await Expect(link).ToBeFocusedAsync();

        _api.Add(TestBatches.Json("batch_brand_new", "validating", created: TestBatches.Created + 60));
        await Expect(page.Locator("tr:has(td[data-batch-id=\"batch_brand_new\"])")).ToBeVisibleAsync();
        // What the update brought is marked for a moment; the rest is not.
        await Expect(page.Locator("tr:has(td[data-batch-id=\"batch_brand_new\"])")).ToHaveClassAsync(new Regex("\\brow-changed\\b"));
        await Expect(page.Locator("tr.row-changed")).ToHaveCountAsync(1);

        // The rows change in place: the focused row keeps the focus, though a new row came above it.
        await Expect(link).ToBeFocusedAsync();

        // Focus the user moved away is not pulled back by the next redraw.
        await page.GetByTestId("batch-total").ClickAsync();
        _api.Add(TestBatches.Json("batch_newer", "validating", created: TestBatches.Created + 120));
        await Expect(page.Locator("tr:has(td[data-batch-id=\"batch_newer\"])")).ToBeVisibleAsync();
        await Expect(link).Not.ToBeFocusedAsync();
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task BatchNotYetCached_AnswersNotFound_ThenAppearsOnItsPage_OnceSynced()
    {
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;

        var response = await page.GotoAsync("/batches/batch_late");
        await session.WaitForInteractiveAsync();
        Assert.Equal(404, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This batch is not in the cache" })).ToBeVisibleAsync();

        _api.Add(TestBatches.Json("batch_late", "validating", created: TestBatches.Created + 120));

        await Expect(page.GetByTestId("detail-status")).ToHaveTextAsync("validating");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("batch_late");
        // A 404 answer is a console error in Chromium; nothing else may be.
        Assert.All(session.Errors, error => Assert.Contains("404", error, StringComparison.Ordinal));
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
