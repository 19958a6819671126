using BatchDashboard.Core;
using BatchDashboard.Dashboard.Components.Controls;
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
    private readonly FakeBatchApi _api = new();
    private readonly TemporaryDatabase _database = new();
    private ApiTestServer _upstream = default!;
    private List<IHostedService> _started = [];

    private static CancellationToken Token => Xunit.TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _api.Add(TestBatches.Json("batch_running", "in_progress"));
        _upstream = new ApiTestServer(_api.HandleAsync);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OPENAI_API_KEY"] = "sk-live-control",
            ["OPENAI_BASE_URL"] = _upstream.BaseUrl.ToString(),
            ["ConnectionStrings:BatchCache"] = _database.ConnectionString,
            ["BatchDashboard:Sync:ActivePollInterval"] = "01:00:00",
            ["BatchDashboard:Sync:IdlePollInterval"] = "01:00:00",
        }).Build();
        Services.AddLogging();
        Services.AddBatchCore(configuration);
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

    /// <summary>Core's hosted services, in order, as a host starts them.</summary>
    private async Task StartCoreAsync()
    {
        _started = [.. Services.GetServices<IHostedService>()];
        foreach (var service in _started)
        {
            await service.StartAsync(Token);
        }
    }

    public new async ValueTask DisposeAsync()
    {
        foreach (var service in Enumerable.Reverse(_started))
        {
            await service.StopAsync(CancellationToken.None);
        }

        await base.DisposeAsync();
        await _upstream.DisposeAsync();
        _database.Dispose();
    }
}
