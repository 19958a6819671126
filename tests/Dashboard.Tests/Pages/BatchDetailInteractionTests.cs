using System.Security.Claims;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Components.Pages;
using BatchDashboard.Dashboard.Hosting;
using BatchDashboard.Dashboard.Security;
using BatchDashboard.Dashboard.Tests.Support;
using BatchDashboard.Tests.Shared;
using Bunit;
using Bunit.Rendering;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MudBlazor;

namespace BatchDashboard.Dashboard.Tests.Pages;

/// <summary>
/// A batch's page in bUnit over the whole dashboard's services (a SQLite cache synced from a loopback upstream), as an
/// operator sees it in a live circuit: it re-renders when the cache changes, and its actions answer in a snackbar,
/// the cancel after a dialog's confirmation.
/// </summary>
public sealed class BatchDetailInteractionTests : MudTestContext, IAsyncLifetime
{
    private readonly LiveCore _core = new(TestBatches.Json("batch_running", "in_progress"));

    public async ValueTask InitializeAsync()
    {
        var configuration = _core.Configuration(("BatchDashboard:Access:Mode", "Host"));
        Services.AddLogging();
        Services.AddSingleton<IConfiguration>(configuration);
        // What a web host gives AddBatchDashboard's Razor components registration: where the app is.
        Services.AddSingleton<Microsoft.AspNetCore.Hosting.IWebHostEnvironment>(new TestEnvironment());
        Services.AddBatchDashboard(configuration);
        // The server's navigation manager and JavaScript runtime need a circuit; bUnit's stand in for them.
        Services.AddSingleton<NavigationManager, Bunit.TestDoubles.BunitNavigationManager>();
        Services.AddSingleton(JSInterop.JSRuntime);
        var auth = AddAuthorization();
        auth.SetAuthorized("ops");
        auth.SetClaims(new Claim(DashboardRoles.ClaimType, "operator"));
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));

        await _core.StartAsync(Services, Token);

        await DashboardAppFactory.WaitForSyncAsync(Services, s => s.Phase == SyncPhase.Polling);
    }

    private IRenderedComponent<ContainerFragment> RenderPage() => Render(builder =>
    {
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<MudDialogProvider>(1);
        builder.CloseComponent();
        builder.OpenComponent<MudSnackbarProvider>(2);
        builder.CloseComponent();
        builder.OpenComponent<BatchDetail>(3);
        builder.AddAttribute(4, nameof(BatchDetail.Id), "batch_running");
        builder.CloseComponent();
    });

    private static string Status(IRenderedComponent<ContainerFragment> page) =>
        page.Find("[data-testid=detail-status]").TextContent.Trim();

    [Fact]
    public async Task ThePage_ReRenders_WhenTheCacheChanges()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Equal("in progress", Status(page)));

        _core.Api.Update("batch_running", b => b["status"] = "finalizing");
        await Services.GetRequiredService<IBatchOperations>().RefreshAsync("openai", "batch_running", Token);

        page.WaitForAssertion(() => Assert.Equal("finalizing", Status(page)));
    }

    [Fact]
    public void RefreshNow_SaysTheApisAnswer_InASnackbar()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=refresh]").HasAttribute("disabled")));

        page.Find("[data-testid=refresh]").Click();

        page.WaitForAssertion(() => Assert.Contains("Refreshed from the API: in progress.", page.Find(".mud-snackbar").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void Cancel_AsksFirst_KeepItRunningDoesNothing_AndConfirmingCancelsIt()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=cancel-batch]").HasAttribute("disabled")));

        page.Find("[data-testid=cancel-batch]").Click();
        page.WaitForAssertion(() => Assert.Contains("Cancel this batch?", page.Find(".mud-dialog-title").TextContent, StringComparison.Ordinal));
        page.FindAll(".mud-dialog-actions button").Single(b => b.TextContent.Contains("Keep it running", StringComparison.Ordinal)).Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".mud-dialog")));
        Assert.DoesNotContain(_core.Api.CallLog, call => call.Contains("cancel", StringComparison.Ordinal));

        page.Find("[data-testid=cancel-batch]").Click();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=confirm]")));
        page.Find("[data-testid=confirm]").Click();

        page.WaitForAssertion(() => Assert.Contains("Cancel requested. The API answered: cancelling.", page.Find(".mud-snackbar").TextContent, StringComparison.Ordinal));
        page.WaitForAssertion(() => Assert.Equal("cancelling", Status(page)));
    }

    public new async ValueTask DisposeAsync()
    {
        await _core.StopAsync();
        await base.DisposeAsync();
        await _core.DisposeAsync();
    }

    private sealed class TestEnvironment : Microsoft.AspNetCore.Hosting.IWebHostEnvironment
    {
        public string ApplicationName { get; set; } = "BatchDashboard.Dashboard.Tests";
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public string EnvironmentName { get; set; } = "Development";
        public Microsoft.Extensions.FileProviders.IFileProvider WebRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
        public string WebRootPath { get; set; } = AppContext.BaseDirectory;
    }
}
