using System.Text;
using System.Text.RegularExpressions;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>After "is it done?": which requests failed and why, a retry of them, and a new batch from a checked file.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ResultsJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly DashboardAppFactory _app = new DashboardAppFactory().WithDemo();
    private Uri _baseAddress = default!;

    public async ValueTask InitializeAsync()
    {
        _baseAddress = _app.StartOnLoopback();
        await _app.WaitForSyncAsync(s => s.ConnectionId == "demo" && s.Phase == SyncPhase.Polling);
    }

    [Fact]
    public async Task FromAFailedBatch_ToItsFailures_AndARetryOfThem()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;
        // The completed batch with the most failed requests.
        await page.GotoAsync("/batches?status=completed&sort=failures");
        await session.WaitForInteractiveAsync();
        var id = (await page.Locator("tbody tr").First.Locator("td[data-batch-id]").GetAttributeAsync("data-batch-id"))!;
        await page.Locator("tbody tr").First.ClickAsync();
        await page.GetByTestId("results-link").ClickAsync();

        // Opening the results indexes the three files, live.
        foreach (var kind in new[] { "input", "output", "error" })
        {
            await Expect(page.GetByTestId($"file-state-{kind}")).ToHaveAttributeAsync("data-state", "indexed", new() { Timeout = 20_000 });
        }

        await Expect(page.GetByTestId("file-state-output")).ToContainTextAsync(" lines · ");
        await session.ScreenshotAsync("results-1-indexed");

        await page.GetByRole(AriaRole.List, new() { Name = "Filter by outcome" }).GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^HTTP error \\d") }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("outcome=http_error"));
        var requests = page.GetByRole(AriaRole.Region, new() { Name = "Requests", Exact = true });
        var firstFailure = requests.Locator("tbody tr").First;
        // The address changes first; the table follows when the circuit renders the filtered page.
        await Expect(requests.Locator("tbody tr .status-chip").Filter(new() { HasNotText = "HTTP error" })).ToHaveCountAsync(0);
        Assert.All(await requests.Locator("tbody tr .status-chip").AllInnerTextsAsync(), chip => Assert.Equal("HTTP error", chip));
        var customId = (await firstFailure.Locator("td[data-custom-id]").GetAttributeAsync("data-custom-id"))!;
        var secondId = (await requests.Locator("tbody tr").Nth(1).Locator("td[data-custom-id]").GetAttributeAsync("data-custom-id"))!;
        await firstFailure.GetByRole(AriaRole.Link, new() { Name = customId }).ClickAsync();

        // The request opens in a drawer beside the table; its row keeps the focus, so it stays in view.
        var detail = page.GetByTestId("request-detail");
        await Expect(detail.GetByRole(AriaRole.Heading, new() { Level = 2 })).ToContainTextAsync(customId);
        await Expect(requests.GetByRole(AriaRole.Link, new() { Name = customId })).ToBeFocusedAsync();
        // Read for its endpoint first: the error's code, message and parameter, and the messages sent.
        await Expect(detail.GetByTestId("request-error")).ToContainTextAsync(new Regex("(invalid_value|context_length_exceeded|server_error) \\(HTTP (400|500)\\)"));
        await Expect(detail.GetByRole(AriaRole.List, new() { Name = "Messages and reply" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("results-2-request");
        // The raw JSON of both lines, one tab away.
        await detail.GetByRole(AriaRole.Tab, new() { Name = "Raw JSON" }).ClickAsync();
        await Expect(detail).ToContainTextAsync($"\"custom_id\": \"{customId}\"");
        await Expect(detail.GetByLabel("Input line", new() { Exact = true })).ToContainTextAsync("\"method\": \"POST\"");
        await Expect(detail.GetByLabel("Result line", new() { Exact = true })).ToContainTextAsync("\"status_code\":");
        await session.ScreenshotAsync("results-2-request-raw");
        await requests.GetByRole(AriaRole.Link, new() { Name = customId }).FocusAsync();

        // Down opens the next request, up the one before, Escape closes the drawer with the focus on its row.
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(detail.GetByRole(AriaRole.Heading, new() { Level = 2 })).ToContainTextAsync(secondId);
        await Expect(requests.GetByRole(AriaRole.Link, new() { Name = secondId })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowUp");
        await Expect(detail.GetByRole(AriaRole.Heading, new() { Level = 2 })).ToContainTextAsync(customId);
        await page.Keyboard.PressAsync("Escape");
        await Expect(detail).ToHaveCountAsync(0);
        await Expect(page).Not.ToHaveURLAsync(new Regex("request="));
        await Expect(requests.GetByRole(AriaRole.Link, new() { Name = customId })).ToBeFocusedAsync();

        await page.GetByTestId("retry").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Retry these requests?" });
        await Expect(dialog).ToBeVisibleAsync();
        // Chosen by error code: a server error may pass a second time and starts ticked; a request the API refused as
        // sent (a 400) would fail again and does not.
        await Expect(dialog.GetByRole(AriaRole.Group, new() { Name = "Likely to succeed this time" })
            .GetByRole(AriaRole.Checkbox, new() { NameRegex = new Regex("^server_error") })).ToBeCheckedAsync();
        await Expect(dialog.GetByRole(AriaRole.Group, new() { Name = "Would probably fail again as sent" })
            .GetByRole(AriaRole.Checkbox, new() { NameRegex = new Regex("^(invalid_value|context_length_exceeded)") })).Not.ToBeCheckedAsync();
        await Expect(dialog.GetByTestId("retry-sum")).ToContainTextAsync(new Regex("^[\\d,]+ requests?, about \\$[\\d,.]+ at this batch's average cost"));
        // Whether the retry's prompt tokens fit its model's queue (the demo holds batches to tier 1's limits).
        await Expect(dialog.GetByTestId("retry-fit")).ToContainTextAsync(new Regex("^(Fits now|Over the limit now|On its own|[\\d,]+ prompt tokens\\. No queued-token limit)"), new() { Timeout = 15_000 });
        await session.ScreenshotAsync("results-3-retry");
        await dialog.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Submit a batch of") }).ClickAsync();

        // The retry's own page, linked to its parent, and the parent linked to it.
        await Expect(page.GetByTestId("lineage")).ToContainTextAsync("Retry of");
        await Expect(page.GetByTestId("detail-status")).ToHaveTextAsync(new Regex("validating|in progress"));
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Retry submitted" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("results-4-retry-batch");
        await page.GetByTestId("lineage").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(id);
        await Expect(page.GetByTestId("lineage")).ToContainTextAsync("Retried as");
        Assert.Empty(session.Errors);
    }

    /// <summary>
    /// Chooses a file as the picker would. MudFileUpload keeps a second file input beside the one it listens to (the
    /// first), and listens once its script has set it up after the circuit's first render: until its name shows,
    /// the choice is made again.
    /// </summary>
    [Fact]
    public async Task ANewBatch_FromAFileCheckedLineByLine_OpensOnItsPage()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;
        await page.GotoAsync("/batches/new");
        await session.WaitForInteractiveAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Choose a .jsonl file" })).ToBeEnabledAsync();

        static string Line(string id, string model = "gpt-4.1-mini") =>
            """{"custom_id": "ID", "method": "POST", "url": "/v1/chat/completions", "body": {"model": "MODEL", "messages": [{"role": "user", "content": "Hi"}]}}"""
                .Replace("ID", id, StringComparison.Ordinal).Replace("MODEL", model, StringComparison.Ordinal);
        var bad = string.Join("\n", Line("a"), "{broken", Line("a"), Line("d", model: "gpt-4o")) + "\n";
        await session.ChooseFileAsync(new FilePayload { Name = "bad.jsonl", MimeType = "application/jsonl", Buffer = Encoding.UTF8.GetBytes(bad) });

        var validation = page.GetByTestId("validation");
        await Expect(validation).ToContainTextAsync("The API would refuse this file: 3 problems in 4 lines");
        await Expect(validation.Locator("tbody tr")).ToHaveCountAsync(3);
        await Expect(validation.Locator("tbody tr").Nth(0)).ToContainTextAsync("2invalid_json_line");
        await Expect(validation.Locator("tbody tr").Nth(1)).ToContainTextAsync("3duplicate_custom_id");
        await Expect(validation.Locator("tbody tr").Nth(2)).ToContainTextAsync("4model_mismatch");
        await Expect(page.GetByTestId("create-batch")).ToBeDisabledAsync();
        Assert.Empty(await Accessibility.SeriousViolationsAsync(page));
        await session.ScreenshotAsync("new-batch-1-problems");

        var good = string.Concat(Enumerable.Range(1, 25).Select(i => Line($"q-{i}") + "\n"));
        await session.ChooseFileAsync(new FilePayload { Name = "good.jsonl", MimeType = "application/jsonl", Buffer = Encoding.UTF8.GetBytes(good) });
        await Expect(validation).ToContainTextAsync("25 requests to /v1/chat/completions with gpt-4.1-mini: ready to send.");
        await Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Endpoint" })).ToHaveTextAsync("/v1/chat/completions");
        await page.GetByLabel("Metadata key").First.FillAsync("team");
        await page.GetByLabel("Metadata value").First.FillAsync("search");
        await page.GetByTestId("create-batch").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/batches/batch_[^/?]+\\?connection=demo$"));
        await Expect(page.GetByTestId("detail-status")).ToHaveTextAsync(new Regex("validating|in progress"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "search" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("new-batch-2-created");
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task TheResultsPage_HasNoSeriousOrCriticalAccessibilityViolations_InEitherTheme()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;
        await page.GotoAsync("/batches?status=completed&sort=failures");
        await session.WaitForInteractiveAsync();
        var href = await page.Locator("tbody tr .batch-table__id a").First.GetAttributeAsync("href");
        var results = href!.Replace("?connection", "/results?connection", StringComparison.Ordinal);
        await page.GotoAsync(results);
        await Expect(page.GetByTestId("file-state-error")).ToHaveAttributeAsync("data-state", "indexed", new() { Timeout = 20_000 });
        var found = new List<string>();
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await page.EmulateMediaAsync(new() { ColorScheme = scheme });
            await page.GotoAsync(results + "&outcome=http_error");
            await session.WaitForInteractiveAsync();
            await page.GetByRole(AriaRole.Region, new() { Name = "Requests", Exact = true }).Locator("tbody tr a").First.ClickAsync();
            await Expect(page.GetByTestId("request-detail")).ToBeVisibleAsync();
            found.AddRange((await Accessibility.SeriousViolationsAsync(page)).Select(v => $"results, {scheme}: {v}"));
        }

        Assert.True(found.Count == 0, string.Join(Environment.NewLine, found));
        Assert.Empty(session.Errors);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
