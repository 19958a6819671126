using System.Text.RegularExpressions;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>
/// The insights page on the demo, as a new user would try it: its month of history answers, on one page, how long a
/// model's batches take, whether a phase is getting slower, which errors grow, what each team spent and what expired
/// unrun; every count leads to the list of its batches; a running batch's page says how batches like it went.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class InsightsJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly DashboardAppFactory _app = new DashboardAppFactory().WithDemo();
    private Uri _baseAddress = default!;

    public async ValueTask InitializeAsync()
    {
        _baseAddress = _app.StartOnLoopback();
        await _app.WaitForSyncAsync(s => s.ConnectionId == "demo" && s.Phase == SyncPhase.Polling);
    }

    [Fact]
    public async Task TheInsightsPage_AnswersItsQuestions_AndEveryCountLeadsToItsBatches()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;
        await page.GotoAsync("/");
        await session.WaitForInteractiveAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Insights" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/insights$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Insights", Exact = true })).ToBeVisibleAsync();

        // Drawn by MudBlazor once the circuit is up: the stacked bars, the phases' lines, the spend.
        foreach (var chart in new[] { "volume-chart", "phases-chart", "failures-chart", "spend-chart" })
        {
            await Expect(page.GetByTestId(chart).Locator("svg").First).ToBeVisibleAsync();
        }

        // How long a model's batches take; the time in each phase; which errors; what expired unrun.
        await Expect(page.GetByTestId("duration-model").First).ToContainTextAsync(new Regex("\\d+ (h|min)"));
        await Expect(page.GetByTestId("waste-row").First).ToBeVisibleAsync();
        // The demo indexes its failed batches' files in the background: their error codes arrive as each is read.
        await Expect(page.GetByTestId("errors-chart").Locator("svg").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.GetByTestId("errors-coverage")).ToContainTextAsync("failed requests these batches report");
        await session.ScreenshotAsync("insights-1-month");

        // What each team spent: group by the metadata key.
        await page.GetByTestId("group-by").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "team", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("group=team"));
        await Expect(page.GetByTestId("group-row")).Not.ToHaveCountAsync(0);
        await Expect(page.GetByTestId("groups")).ToContainTextAsync("search");
        await Expect(page.GetByTestId("groups")).ToContainTextAsync("$");

        var found = new List<string>();
        foreach (var scheme in new[] { ColorScheme.Dark, ColorScheme.Light })
        {
            await page.EmulateMediaAsync(new() { ColorScheme = scheme });
            await page.GotoAsync("/insights?group=team");
            await session.WaitForInteractiveAsync();
            await Expect(page.GetByTestId("volume-chart").Locator("svg").First).ToBeVisibleAsync();
            found.AddRange((await Accessibility.SeriousViolationsAsync(page)).Select(v => $"insights, {scheme}: {v}"));
        }

        Assert.True(found.Count == 0, string.Join(Environment.NewLine, found));
        await session.ScreenshotAsync("insights-2-by-team");

        // On a phone: the charts and the tables a screen each (LayoutTests checks nothing scrolls sideways).
        await page.SetViewportSizeAsync(390, 844);
        await page.GetByTestId("turnaround").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ArtifactsFolder, "insights-phone-turnaround.png") });
        await page.GetByTestId("phases").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ArtifactsFolder, "insights-phone-phases.png") });
        await page.SetViewportSizeAsync(1280, 900);

        // A day's completed batches: the count in the table is the list's count behind its link.
        await page.GetByTestId("volume").GetByText("Table by day").ClickAsync();
        var link = page.GetByTestId("volume").GetByRole(AriaRole.Link, new() { NameRegex = new Regex("completed batches created") }).First;
        var count = (await link.TextContentAsync())!.Trim();
        await link.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/batches\\?status=completed&from=\\d{4}-\\d\\d-\\d\\d&to=\\d{4}-\\d\\d-\\d\\d$"));
        await Expect(page.GetByTestId("batch-total")).ToContainTextAsync($"{count} of ");

        // An error code's count leads to the batches whose files hold it.
        await page.GotoAsync("/insights");
        await session.WaitForInteractiveAsync();
        await page.GetByTestId("error-code").First.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/batches\\?from=[^&]+&to=[^&]+&code=[a-z_]+&sort=failures$"));
        await Expect(page.GetByTestId("batch-table").Locator("tbody tr").First).ToBeVisibleAsync();

        // A running batch's page says how batches like it went.
        await page.GotoAsync("/batches?status=in_progress");
        await session.WaitForInteractiveAsync();
        await page.GetByTestId("batch-table").Locator("tbody").GetByRole(AriaRole.Link).First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/batches/batch_"));
        await Expect(page.GetByTestId("history-estimate")).ToContainTextAsync(new Regex("similar batch(es)? \\(same model"));
        await session.ScreenshotAsync("insights-3-estimate");
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task TheJsonAndCsv_SayWhatThePageSays()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var api = session.Page.APIRequest;

        var json = await (await api.GetAsync("api/insights?range=7d")).TextAsync();
        Assert.Contains("\"volume\":[{\"day\":", json, StringComparison.Ordinal);
        var csv = await api.GetAsync("api/insights/waste.csv?group=team");
        Assert.Equal(200, csv.Status);
        Assert.StartsWith("status,model,batches,unrun_requests", await csv.TextAsync(), StringComparison.Ordinal);
        var bad = await api.GetAsync("api/insights?from=2026-13-01&to=2026-11-01");
        Assert.Equal(400, bad.Status);
        Assert.Contains("is not a date (yyyy-mm-dd)", await bad.TextAsync(), StringComparison.Ordinal);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
