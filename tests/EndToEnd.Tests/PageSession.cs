using Microsoft.Playwright;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>A fresh browser context and page that records every console error and uncaught exception.</summary>
public sealed class PageSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];

    private PageSession(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_errors) { _errors.Add($"console: {message.Text}"); }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_errors) { _errors.Add($"page error: {error}"); }
        };
    }

    public IPage Page { get; }

    public IReadOnlyList<string> Errors
    {
        get { lock (_errors) { return [.. _errors]; } }
    }

    /// <param name="timezoneId">The browser's time zone (an IANA name); the machine's when null.</param>
    public static async Task<PageSession> OpenAsync(IBrowser browser, Uri baseAddress, string? timezoneId = null)
    {
        var context = await browser.NewContextAsync(new()
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new() { Width = 1280, Height = 800 },
            TimezoneId = timezoneId,
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        return new PageSession(context, await context.NewPageAsync());
    }

    /// <summary>Waits until the Blazor circuit has rendered interactively (prerendered HTML cannot take clicks).</summary>
    public Task WaitForInteractiveAsync() =>
        Page.Locator("[data-interactive=\"true\"]").First.WaitForAsync(new() { Timeout = 15_000 });

    /// <summary>
    /// Chooses a file in the page's file input, again until the page names it: the input is in the page before the
    /// circuit listens to it, and a file chosen before that is not received.
    /// </summary>
    public async Task ChooseFileAsync(FilePayload payload)
    {
        var name = Page.GetByTestId("file-name");
        for (var attempt = 0; ; attempt++)
        {
            await Page.Locator("input[type=file]").First.SetInputFilesAsync(payload);
            try
            {
                await Assertions.Expect(name).ToContainTextAsync(payload.Name, new() { Timeout = 1_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 10)
            {
                // Not listening yet.
            }
        }
    }

    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ArtifactsFolder, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
