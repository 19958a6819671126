using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>
/// A portal on another origin frames the dashboard's embed/ pages: allowed for a listed origin (with the portal's
/// theme and density), refused by the browser for any other.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class IframeTests(BrowserFixture browser)
{

    [Fact]
    public async Task AListedPortal_FramesTheEmbedLayout_InItsThemeAndDensity_AndAnotherCannot()
    {
        // The portals: pages of their own origins (other ports), on this machine like the dashboard, so Chromium's
        // private-network rules stay out of it and only the CSP decides.
        Uri? frameSource = null;
        await using var portal = new ApiTestServer(context => PortalPageAsync(context, frameSource!));
        await using var elsewhere = new ApiTestServer(context => PortalPageAsync(context, frameSource!));
        var portalOrigin = portal.BaseUrl.GetLeftPart(UriPartial.Authority);
        await using var app = new DashboardAppFactory().WithSetting("BatchDashboard:Embedding:FrameAncestors:0", portalOrigin);
        app.WithFakeUpstream().Add(TestBatches.Json("batch_in_a_frame", "in_progress"));
        var dashboard = app.StartOnLoopback();
        await app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);

        await using var session = await PageSession.OpenAsync(browser.Browser, dashboard);
        var page = session.Page;
        frameSource = new Uri(dashboard, "embed/batches?theme=dark&density=compact");
        await page.GotoAsync(portalOrigin + "/");

        var frame = page.FrameLocator("iframe");
        await Expect(frame.Locator(".app-shell[data-interactive=\"true\"]")).ToBeVisibleAsync();
        await Expect(frame.Locator("tr:has(td[data-batch-id=\"batch_in_a_frame\"])")).ToBeVisibleAsync();
        await Expect(frame.Locator(".app-bar")).ToHaveCountAsync(0);
        await Expect(frame.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await Expect(frame.Locator("html")).ToHaveAttributeAsync("data-density", "compact");

        // A link inside the frame stays in the embed layout.
        await frame.Locator("tr:has(td[data-batch-id=\"batch_in_a_frame\"])").ClickAsync();
        await Expect(frame.GetByTestId("detail-status")).ToHaveTextAsync("in progress");
        Assert.EndsWith("/embed/batches/batch_in_a_frame?connection=openai", page.Frames[1].Url, StringComparison.Ordinal);
        await Expect(frame.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await session.ScreenshotAsync("embedded-in-an-iframe");
        Assert.Empty(session.Errors);

        // Another site: the browser refuses to show it (the CSP's frame-ancestors).
        await using var other = await PageSession.OpenAsync(browser.Browser, dashboard);
        frameSource = new Uri(dashboard, "embed/batches");
        var refusal = await other.Page.RunAndWaitForConsoleMessageAsync(
            () => other.Page.GotoAsync(elsewhere.BaseUrl.GetLeftPart(UriPartial.Authority) + "/"),
            new() { Predicate = message => message.Text.Contains("frame-ancestors", StringComparison.Ordinal) });
        Assert.Contains(portalOrigin, refusal.Text, StringComparison.Ordinal); // the one origin that may
        await Expect(other.Page.FrameLocator("iframe").Locator(".app-shell")).ToHaveCountAsync(0);
    }

    private static Task PortalPageAsync(Microsoft.AspNetCore.Http.HttpContext context, Uri frame)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync($"<!DOCTYPE html><html lang=\"en\"><head><title>Portal</title></head><body><h1>Portal</h1><iframe title=\"Batches\" src=\"{frame}\" width=\"1200\" height=\"700\"></iframe></body></html>");
    }
}
