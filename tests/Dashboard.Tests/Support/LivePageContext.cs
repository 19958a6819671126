using System.Security.Claims;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Hosting;
using BatchDashboard.Dashboard.Security;
using BatchDashboard.Tests.Shared;
using Bunit;
using Bunit.Rendering;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Dashboard.Tests.Support;

/// <summary>
/// bUnit over the whole dashboard's services (<c>AddBatchDashboard</c>) and Core running for real (<see cref="LiveCore"/>:
/// a SQLite cache synced from a loopback upstream), in an interactive circuit, signed in as an operator: a page as an
/// operator sees it, without a browser.
/// </summary>
public abstract class LivePageContext : MudTestContext, IAsyncLifetime
{
    protected LivePageContext(params string[] batches) => Core = new LiveCore(batches);

    protected LiveCore Core { get; }

    public async ValueTask InitializeAsync()
    {
        var configuration = Core.Configuration(("BatchDashboard:Access:Mode", "Host"));
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

        await Core.StartAsync(Services, Token);

        await DashboardAppFactory.WaitForSyncAsync(Services, s => s.Phase == SyncPhase.Polling);
    }

    /// <summary><typeparamref name="TPage"/> with MudBlazor's providers beside it, as the layout renders them.</summary>
    protected IRenderedComponent<ContainerFragment> RenderPage<TPage>(params (string Name, object? Value)[] parameters)
        where TPage : IComponent => Render(builder =>
    {
        builder.OpenComponent<MudBlazor.MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<MudBlazor.MudDialogProvider>(1);
        builder.CloseComponent();
        builder.OpenComponent<MudBlazor.MudSnackbarProvider>(2);
        builder.CloseComponent();
        builder.OpenComponent<TPage>(3);
        foreach (var (name, value) in parameters)
        {
            builder.AddAttribute(4, name, value);
        }

        builder.CloseComponent();
    });

    public new async ValueTask DisposeAsync()
    {
        await Core.StopAsync();
        await base.DisposeAsync();
        await Core.DisposeAsync();
        GC.SuppressFinalize(this);
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
