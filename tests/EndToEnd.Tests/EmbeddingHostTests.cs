using System.Net;
using System.Text.RegularExpressions;
using BatchDashboard.Core.Sync;
using BatchDashboard.Samples.EmbeddingHost;
using BatchDashboard.Tests.Shared;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>
/// The sample host (samples/EmbeddingHost): a portal with its own sign-in that maps the dashboard under
/// /admin/batches behind its own policy. Every link, asset, the circuit and the JSON API work under the prefix.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class EmbeddingHostTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly HostFactory _host = new();
    private readonly FakeBatchApi _api = new();
    private ApiTestServer? _upstream;
    private Uri _baseAddress = default!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _api.Add(TestBatches.Json("batch_running_in_the_portal", "in_progress", total: 100, completed: 40, failed: 2));
        _api.Add(TestBatches.Json("batch_done_in_the_portal", "completed", created: TestBatches.Created - 100, total: 10, completed: 10, failed: 0));
        _upstream = new ApiTestServer(_api.HandleAsync);
        _host.Upstream = _upstream.BaseUrl;
        _baseAddress = _host.StartOnLoopback();
        await DashboardAppFactory.WaitForSyncAsync(_host.Services, s => s.Phase == SyncPhase.Polling);
    }

    [Fact]
    public async Task UnderThePrefix_EveryAssetAndTheApiAnswer_BehindTheHostsPolicy()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _baseAddress };
        using var refused = await anonymous.GetAsync("/admin/batches/api/batches", Token);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode); // the host's own sign-in
        Assert.StartsWith("/login", refused.Headers.Location!.AbsolutePath, StringComparison.Ordinal);

        using var staff = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = _baseAddress };
        await staff.GetAsync("/login/as?name=vera&role=batch-viewers", Token);
        var html = await staff.GetStringAsync("/admin/batches/", Token);
        Assert.Contains("<base href=\"/admin/batches/\" />", html, StringComparison.Ordinal);
        Assert.Contains("Acme Portal · Batches", WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Contains("data-testid=\"app-path\"", html, StringComparison.Ordinal);
        var assets = Loopback.AssetsOf(html);
        Assert.Contains(assets, a => a.StartsWith("_framework/blazor.web.", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            using var response = await staff.GetAsync("/admin/batches/" + asset, Token);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {response.StatusCode}");
        }

        Assert.Contains("batch_running_in_the_portal", await staff.GetStringAsync("/admin/batches/api/batches", Token), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync("/admin/batches/healthz", Token)).StatusCode);
        // The host's own pages are untouched by the dashboard.
        Assert.Contains("Acme Portal", await staff.GetStringAsync("/", Token), StringComparison.Ordinal);
        // A portal user without a dashboard role is refused by the dashboard's own check.
        using var outsider = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = _baseAddress };
        await outsider.GetAsync("/login/as?name=max", Token);
        using var forbidden = await outsider.GetAsync("/admin/batches/api/batches", Token);
        Assert.Equal(HttpStatusCode.Redirect, forbidden.StatusCode); // the host's "access denied" page
        Assert.Contains("AccessDenied", forbidden.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOperator_OpensABatchUnderThePrefix_AndCancelsIt_ThroughTheCircuit_WhileAViewerSeesNoCancel()
    {
        await using var viewer = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        await viewer.Page.GotoAsync("/login/as?name=vera&role=batch-viewers&returnUrl=/admin/batches/batches/batch_running_in_the_portal");
        await viewer.WaitForInteractiveAsync();
        await Expect(viewer.Page.GetByTestId("detail-status")).ToHaveTextAsync("in progress");
        await Expect(viewer.Page.GetByTestId("cancel-batch")).ToHaveCountAsync(0);
        Assert.Empty(viewer.Errors);

        await using var session = await PageSession.OpenAsync(browser.Browser, _baseAddress);
        var page = session.Page;
        await page.GotoAsync("/login/as?name=otto&role=batch-operators&returnUrl=/admin/batches/");
        await session.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("signed-in-user")).ToContainTextAsync("otto");
        await page.Locator("tr:has(td[data-batch-id=\"batch_running_in_the_portal\"])").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/admin/batches/batches/batch_running_in_the_portal\\?connection=openai$"));
        await session.ScreenshotAsync("embedded-1-detail-under-prefix");

        await page.GetByTestId("cancel-batch").ClickAsync();
        await page.GetByRole(AriaRole.Dialog, new() { Name = "Cancel this batch?" }).GetByRole(AriaRole.Button, new() { Name = "Cancel batch", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("detail-status")).ToHaveTextAsync("cancelling");

        Assert.Empty(session.Errors);

        // The back link leads to the host (whose bare sample page has no icon: its 404 is not the dashboard's).
        await page.GetByTestId("app-path").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(_baseAddress.ToString()) + "$"));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }

    /// <summary>The sample host as it is, on a loopback port, over its own temporary cache.</summary>
    private sealed class HostFactory : WebApplicationFactory<HostProgram>
    {
        private readonly TemporaryDatabase _database = new();

        public Uri? Upstream { get; set; }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:BatchCache", _database.ConnectionString);
            builder.UseSetting("OPENAI_API_KEY", "sk-portal-test");
            builder.UseSetting("OPENAI_BASE_URL", Upstream?.ToString());
            builder.UseSetting("BatchDashboard:Sync:ActivePollInterval", "00:00:00.200");
            builder.UseSetting("BatchDashboard:Sync:IdlePollInterval", "00:00:00.200");
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            _database.Dispose();
        }
    }
}
