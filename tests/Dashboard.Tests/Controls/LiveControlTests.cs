using BatchDashboard.Core;
using BatchDashboard.Dashboard.Components.Controls;
using BatchDashboard.Dashboard.Tests.Support;
using BatchDashboard.Tests.Shared;
using Bunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MudBlazor.Services;

namespace BatchDashboard.Dashboard.Tests.Controls;

/// <summary>
/// Controls that follow the cache, rendered by bUnit over the real Core (a SQLite file, the sync against a loopback
/// upstream): a change notification re-renders them, with no browser.
/// </summary>
public sealed class LiveControlTests : BunitContext, IAsyncLifetime
{
    private readonly LiveCore _core = new(TestBatches.Json("batch_running", "in_progress"));

    private static CancellationToken Token => Xunit.TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        Services.AddLogging();
        Services.AddBatchCore(_core.Configuration());
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        // As in an open page: the circuit is live.
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task SyncIndicator_ReRenders_WhenTheSyncReportsItsFirstCycle()
    {
        var indicator = Render<SyncIndicator>();
        Assert.DoesNotContain("Synced", indicator.Find("[data-testid=sync-indicator]").TextContent, StringComparison.Ordinal);

        await StartCoreAsync(); // the migration, then the sync's first cycle, which publishes its new state

        indicator.WaitForAssertion(() =>
            Assert.Contains("Synced", indicator.Find("[data-testid=sync-indicator]").TextContent, StringComparison.Ordinal));
    }

    /// <summary>The migration, then the sync's first cycle, as a host starts them.</summary>
    private Task StartCoreAsync() => _core.StartAsync(Services, Token);

    public new async ValueTask DisposeAsync()
    {
        await _core.StopAsync();
        await base.DisposeAsync();
        await _core.DisposeAsync();
    }
}
