using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>
/// Every page of the demo at a phone's, a laptop's and a wide screen's width, in both themes: no sideways scrolling,
/// no serious or critical axe finding (at 390 and 1440 wide), a screenshot of each saved with the test results; and
/// the phone's navigation and filters, found by role and name.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LayoutTests(BrowserFixture browser) : IAsyncLifetime
{
    private static readonly int[] Widths = [390, 1440, 1920];

    private readonly DashboardAppFactory _app = new DashboardAppFactory().WithDemo();
    private Uri _baseAddress = default!;

    public async ValueTask InitializeAsync()
    {
        _baseAddress = _app.StartOnLoopback();
        await _app.WaitForSyncAsync(s => s.ConnectionId == "demo" && s.Phase == SyncPhase.Polling);
    }

    [Fact]
    public async Task EveryPage_AtEveryWidth_InBothThemes_FitsTheScreen_AndHasNoSeriousAccessibilityFinding()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;
        var running = await page.APIRequest.GetAsync(_baseAddress + "api/batches?status=in_progress&limit=1");
        var runningId = System.Text.Json.JsonDocument.Parse(await running.TextAsync()).RootElement.GetProperty("data")[0].GetProperty("id").GetString();
        var failed = await page.APIRequest.GetAsync(_baseAddress + "api/batches?status=completed&sort=failures&limit=1");
        var failedId = System.Text.Json.JsonDocument.Parse(await failed.TextAsync()).RootElement.GetProperty("data")[0].GetProperty("id").GetString();
        (string Name, string Path)[] pages =
        [
            ("list", "batches"),
            ("list-filtered", "batches?status=failed,expired&within=30d"),
            ("detail", $"batches/{runningId}?connection=demo"),
            ("results", $"batches/{failedId}/results?connection=demo"),
            ("new-batch", "batches/new"),
            ("insights", "insights?group=team"),
            ("audit", "audit"),
            ("settings", "settings"),
            ("not-found", "batches/batch_not_cached"),
        ];

        var found = new List<string>();
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await page.EmulateMediaAsync(new() { ColorScheme = scheme });
            foreach (var width in Widths)
            {
                await page.SetViewportSizeAsync(width, width < 600 ? 844 : 1000);
                foreach (var (name, path) in pages)
                {
                    await page.GotoAsync(path);
                    await session.WaitForInteractiveAsync();
                    var where = $"{name}, {width} wide, {scheme}";
                    var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
                    if (overflow > 0)
                    {
                        found.Add($"{where}: {overflow} px sideways scroll");
                    }

                    if (width != 1920)
                    {
                        found.AddRange((await Accessibility.SeriousViolationsAsync(page)).Select(v => $"{where}: {v}"));
                    }

                    await session.ScreenshotAsync($"layout-{name}-{width}-{scheme.ToString().ToLowerInvariant()}");
                }
            }
        }

        Assert.True(found.Count == 0, string.Join(Environment.NewLine, found));
        // The not-found page answers 404, which the browser's console reports; nothing else may.
        Assert.DoesNotContain(session.Errors, e => !e.Contains("status of 404", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnAPhone_NavigationIsInADrawer_AndTheFiltersInAPanelThatOpens()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("batches");
        await session.WaitForInteractiveAsync();

        var navigation = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        await Expect(navigation).Not.ToBeInViewportAsync();
        var menu = page.GetByRole(AriaRole.Button, new() { Name = "Menu" });
        await Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
        await menu.ClickAsync();
        await Expect(navigation).ToBeInViewportAsync();
        await session.ScreenshotAsync("phone-1-drawer");
        await navigation.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Settings", Level = 1 })).ToBeVisibleAsync();
        await Expect(navigation).Not.ToBeInViewportAsync();

        await page.GotoAsync("batches");
        await session.WaitForInteractiveAsync();
        var filters = page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Filters") });
        var model = page.GetByLabel("Model", new() { Exact = true });
        await Expect(model).Not.ToBeVisibleAsync();
        await filters.ClickAsync();
        await Expect(filters).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(model).ToBeVisibleAsync();
        await session.ScreenshotAsync("phone-2-filters");
        Assert.Empty(session.Errors);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
