using System.Text.RegularExpressions;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>What a person does every day, in Chromium against the demo: filter, open a batch, read it, cancel it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly DashboardAppFactory _app = new DashboardAppFactory().WithDemo();
    private Uri _baseAddress = default!;

    public async ValueTask InitializeAsync()
    {
        _baseAddress = _app.StartOnLoopback();
        await _app.WaitForSyncAsync(s => s.ConnectionId == "demo" && s.Phase == SyncPhase.Polling);
    }

    [Fact]
    public async Task FilterFromTheHeader_OpenABatch_SeeItsChartsAndTimeline_CancelIt_AndWatchItTurnCancelling()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;
        await page.GotoAsync("/");
        await session.WaitForInteractiveAsync();

        // The header's "in progress" count is a filter.
        await page.GetByRole(AriaRole.List, new() { Name = "Filter by status" }).GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^in progress \\d") }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("batches\\?status=in_progress$"));
        var rows = page.Locator("tbody tr");
        await Expect(rows.First).ToBeVisibleAsync();
        // The address changes before the filtered rows arrive: wait for them, not for the address.
        await Expect(page.Locator("tbody tr .status-chip").Filter(new() { HasNotText = "in progress" })).ToHaveCountAsync(0);
        var chips = await page.Locator("tbody tr .status-chip").AllInnerTextsAsync();
        Assert.NotEmpty(chips);
        Assert.All(chips, chip => Assert.Equal("in progress", chip));
        await session.ScreenshotAsync("journey-1-filtered-in-progress");

        // Open the first running batch.
        var id = (await rows.First.Locator("td[data-batch-id]").GetAttributeAsync("data-batch-id"))!;
        await rows.First.ClickAsync(); // the whole row is its batch's link
        await Expect(page).ToHaveURLAsync(new Regex($"batches/{id}\\?connection=demo$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(id);
        await Expect(page.GetByTestId("detail-status")).ToHaveTextAsync("in progress");
        await Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex("completed, [\\d,]+ failed and [\\d,]+ pending of [\\d,]+ requests") })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Request counts" })).ToBeVisibleAsync();
        await Expect(page.Locator("[role=listitem][data-phase=\"in_progress\"][aria-current=\"step\"]")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("current-phase")).ToContainTextAsync("so far");
        await Expect(page.GetByTestId("expiry")).ToContainTextAsync("The completion window ends in");
        await session.ScreenshotAsync("journey-2-running-batch");

        // Refresh now asks the API at once and says what it answered.
        await page.GetByTestId("refresh").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Refreshed from the API: in progress." })).ToBeVisibleAsync();

        // Cancel it: confirm, then the page turns "cancelling" by itself, without a reload.
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        await page.GetByTestId("cancel-batch").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Cancel this batch?" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Keep it running" })).ToBeFocusedAsync();
        await session.ScreenshotAsync("journey-3-confirm-cancel");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel batch", Exact = true }).ClickAsync();

        await Expect(page.GetByTestId("detail-status")).ToHaveTextAsync("cancelling");
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Cancel requested. The API answered: cancelling." })).ToBeVisibleAsync();
        await Expect(page.Locator("[role=listitem][data-phase=\"cancelling\"][aria-current=\"step\"]")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("cancel-batch")).ToHaveCountAsync(0);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page reloaded");
        await session.ScreenshotAsync("journey-4-cancelling");

        // Back to the list: the batch is cancelling there too.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = "Batches" }).ClickAsync();
        await Expect(page.Locator($"tr:has(td[data-batch-id=\"{id}\"]) .status-chip")).ToHaveTextAsync("cancelling");
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task BothPages_InBothThemes_HaveNoSeriousOrCriticalAccessibilityViolations()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;
        var found = new List<string>();
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await page.EmulateMediaAsync(new() { ColorScheme = scheme });
            await page.GotoAsync("/");
            await session.WaitForInteractiveAsync();
            found.AddRange((await Accessibility.SeriousViolationsAsync(page)).Select(v => $"list, {scheme}: {v}"));

            var running = await page.Locator("tr:has(.status-in-progress) .batch-table__id a").First.GetAttributeAsync("href");
            await page.GotoAsync(running!);
            await Expect(page.GetByTestId("detail-status")).ToBeVisibleAsync();
            await session.WaitForInteractiveAsync();
            await page.GetByText("Raw JSON, as the API last sent it").ClickAsync();
            found.AddRange((await Accessibility.SeriousViolationsAsync(page)).Select(v => $"detail, {scheme}: {v}"));
            await session.ScreenshotAsync($"a11y-detail-{scheme.ToString().ToLowerInvariant()}");

            var failed = await page.EvaluateAsync<string>("async () => (await (await fetch('api/batches?status=failed&limit=1')).json()).data[0].id");
            await page.GotoAsync($"/batches/{failed}");
            await Expect(page.GetByTestId("detail-status")).ToHaveTextAsync("failed");
            found.AddRange((await Accessibility.SeriousViolationsAsync(page)).Select(v => $"failed batch, {scheme}: {v}"));
        }

        Assert.True(found.Count == 0, string.Join(Environment.NewLine, found));
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task Keyboard_OpensTheConfirmDialog_KeepsFocusInside_AndEscapeGivesItBack()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;
        await page.GotoAsync("/batches?status=in_progress");
        await session.WaitForInteractiveAsync();
        await page.Locator("tbody tr").First.ClickAsync();
        var cancel = page.GetByTestId("cancel-batch");
        await Expect(cancel).ToBeEnabledAsync();

        await cancel.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Cancel this batch?" });
        var keep = dialog.GetByRole(AriaRole.Button, new() { Name = "Keep it running" });
        await Expect(keep).ToBeFocusedAsync();
        Assert.Empty(await Accessibility.SeriousViolationsAsync(page));
        await page.Keyboard.PressAsync("Tab");
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel batch", Exact = true })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab"); // wraps around, never leaves the dialog
        await Expect(keep).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");

        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(cancel).ToBeFocusedAsync();
        await Expect(page.GetByTestId("detail-status")).ToHaveTextAsync("in progress");
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task ThemeSwitch_AppliesTheChoice_AndRemembersIt()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;
        await page.GotoAsync("/");
        await session.WaitForInteractiveAsync();
        var html = page.Locator("html");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Follow the system theme" })).ToHaveAttributeAsync("aria-pressed", "true");

        await page.GetByRole(AriaRole.Button, new() { Name = "Dark theme" }).ClickAsync();
        await Expect(html).ToHaveAttributeAsync("data-theme", "dark");
        await page.ReloadAsync();
        await session.WaitForInteractiveAsync();
        await Expect(html).ToHaveAttributeAsync("data-theme", "dark");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Dark theme" })).ToHaveAttributeAsync("aria-pressed", "true");
        await session.ScreenshotAsync("batches-dark");

        // Following the system again: the browser's (light here) is in force, and nothing is remembered.
        await page.GetByRole(AriaRole.Button, new() { Name = "Follow the system theme" }).ClickAsync();
        await Expect(html).ToHaveAttributeAsync("data-theme", "light");
        await Expect(html).ToHaveAttributeAsync("data-theme-chosen", "system");
        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('bd-theme')"));
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task CopyButton_PutsTheIdOnTheClipboard_AndTimesShowTheReadersLocalTimeOnHover()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress, timezoneId: "Asia/Tokyo");
        var page = session.Page;
        await page.GotoAsync("/");
        await session.WaitForInteractiveAsync();
        var row = page.Locator("tbody tr").First;
        var id = await row.Locator("td[data-batch-id]").GetAttributeAsync("data-batch-id");

        // The batch's page has its id to copy (the list's rows stay lean: one link each).
        await page.GotoAsync((await row.Locator(".batch-row__link").GetAttributeAsync("href"))!);
        await session.WaitForInteractiveAsync();
        var copy = page.GetByRole(AriaRole.Heading, new() { Level = 1 }).GetByRole(AriaRole.Button, new() { Name = "Copy batch id" });
        await copy.ClickAsync();

        Assert.Equal(id, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await Expect(copy).ToHaveAttributeAsync("data-copied", "true");
        // On the interactive page the exact time is a tooltip, in the browser's zone and UTC.
        await page.Locator("dd time").First.HoverAsync();
        await Expect(page.Locator(".mud-tooltip", new() { HasText = "Asia/Tokyo (UTC+09:00)" })).ToBeVisibleAsync();
        await page.GoBackAsync();
        await session.WaitForInteractiveAsync();
        // The server renders UTC; the page turns it into Tokyo time (UTC+9), keeping UTC beside it.
        var created = row.Locator("time").First;
        var utc = await created.GetAttributeAsync("data-utc");
        Assert.Matches("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC$", utc);
        await Expect(created).ToHaveAttributeAsync("title", new Regex($"GMT\\+9.*\\({Regex.Escape(utc!)}\\)$"));
        Assert.Empty(session.Errors);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
