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

    [Fact]
    public async Task ServerGoesAway_ThePageSaysItIsReconnecting_AndOffersAReload()
    {
        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;
        await page.GotoAsync("/");
        await session.WaitForInteractiveAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Connection lost" });
        await Expect(dialog).ToBeHiddenAsync();

        await _app.DisposeAsync(); // the server stops: the circuit's connection drops

        await Expect(dialog).ToBeVisibleAsync();
        // Its first words or, a moment later, those of the retries that follow.
        await Expect(dialog.GetByRole(AriaRole.Status).First).ToContainTextAsync("to reconnect");
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Reload" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("circuit-reconnecting");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
