using BatchDashboard.Tests.Shared;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BatchDashboard.EndToEnd.Tests;

[Collection(BrowserCollection.Name)]
public sealed class CircuitTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly DashboardAppFactory _app = new();
    private Uri _baseAddress = default!;

    public ValueTask InitializeAsync()
    {
        _baseAddress = _app.StartOnLoopback();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task CheckNow_RunsTheCheckOnTheServer_AndThePageShowsTheNewResult()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;

        await page.GotoAsync("/");
        await session.WaitForInteractiveAsync();
        var checkedAt = page.GetByTestId("checked-at");
        var before = await checkedAt.GetAttributeAsync("datetime");

        await page.GetByRole(AriaRole.Button, new() { Name = "Check now" }).ClickAsync();

        // The timestamp comes from the server's clock: it only changes if the click reached the circuit.
        await Expect(checkedAt).Not.ToHaveAttributeAsync("datetime", before!);
        await Expect(page.GetByTestId("cache-state")).ToHaveTextAsync("Reachable");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Batches", Level = 1 })).ToBeVisibleAsync();
        await session.ScreenshotAsync("foundation-batches-empty");
        Assert.Empty(session.Errors);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
