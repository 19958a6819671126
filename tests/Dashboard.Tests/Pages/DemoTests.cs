using System.Net;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Dashboard.Tests.Pages;

/// <summary>With no connection configured, the app hosts the emulator and shows a month of demo history from it.</summary>
public sealed class DemoTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WithNoConnection_TheDemoShowsAMonthOfHistory_FromTheBuiltInEmulator()
    {
        await using var app = new DashboardAppFactory().WithDemo();
        using var client = app.CreateClient();
        await app.WaitForSyncAsync(s => s.ConnectionId == "demo" && s.Phase == SyncPhase.Polling);

        var queries = app.Services.GetRequiredService<IBatchQueries>();
        var summary = await queries.SummarizeAsync(new BatchFilter(), Token);
        Assert.True(summary.Total >= 200, $"{summary.Total} batches");
        Assert.Equal(
            ["cancelled", "cancelling", "completed", "expired", "failed", "finalizing", "in_progress", "validating"],
            summary.CountsByStatus.Where(c => c.Value > 0).Select(c => c.Key).Order());
        Assert.True(summary.RequestsInFlight > 0);
        var (endpoints, models) = await queries.GetFacetsAsync(null, null, Token);
        Assert.Equal(["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/moderations", "/v1/responses"], endpoints.Order());
        Assert.True(models.Count >= 5, string.Join(", ", models));

        var all = await queries.ListAsync(new BatchListRequest { PageSize = 500 }, Token);
        var created = all.Items.Select(b => b.Batch.CreatedAt!.Value).ToList();
        Assert.True(created.Max() - created.Min() > TimeSpan.FromDays(25), "spread over the last month");
        Assert.Contains(all.Items, b => b.Batch.Metadata.ContainsKey("team"));
        Assert.Contains(all.Items, b => b.Batch.Errors.Count > 0);
        Assert.Contains(all.Items, b => b.Batch.RequestCounts is { Failed: > 0 });
        Assert.All(all.Items, b => Assert.Equal("demo", b.ConnectionId));

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/", Token));
        Assert.Contains("data-testid=\"demo-banner\"", html, StringComparison.Ordinal);
        Assert.Contains("Demo data", html, StringComparison.Ordinal);
        Assert.Contains($"{summary.Total:N0} cached", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Give it an API key", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDemo_KeepsItsOwnCacheFile_StartedAfresh_AndItsKeyOffThePage()
    {
        await using var app = new DashboardAppFactory().WithDemo();
        using var client = app.CreateClient();
        await app.WaitForSyncAsync(s => s.ConnectionId == "demo" && s.Phase == SyncPhase.Polling);

        var demoFile = Path.Combine(Path.GetDirectoryName(app.Database.FilePath)!, "demo-" + Path.GetFileName(app.Database.FilePath));
        Assert.True(File.Exists(demoFile), "the demo's cache is a file of its own");
        Assert.False(File.Exists(app.Database.FilePath), "the real cache is not touched");

        var demo = Assert.Single(app.Services.GetRequiredService<IConnectionCatalog>().Connections);
        Assert.True(demo.IsDemo);
        Assert.Equal("127.0.0.1", demo.BaseUrl.Host);
        var html = await client.GetStringAsync("/", Token);
        Assert.DoesNotContain(demo.ApiKey, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConfiguredKey_TurnsTheDemoOff()
    {
        await using var app = new DashboardAppFactory().WithDemo();
        var api = app.WithFakeUpstream();
        api.Add(TestBatches.Json("batch_real", "completed"));
        using var client = app.CreateClient();
        await app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);

        var connection = Assert.Single(app.Services.GetRequiredService<IConnectionCatalog>().Connections);
        Assert.False(connection.IsDemo);
        var html = await client.GetStringAsync("/", Token);
        Assert.DoesNotContain("demo-banner", html, StringComparison.Ordinal);
        Assert.Contains("1 cached", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithTheDemoSwitchedOff_NoConnectionShowsHowToConfigureOne()
    {
        await using var app = new DashboardAppFactory();
        using var client = app.CreateClient();

        var html = await client.GetStringAsync("/", Token);

        Assert.Empty(app.Services.GetRequiredService<IConnectionCatalog>().Connections);
        Assert.DoesNotContain("demo-banner", html, StringComparison.Ordinal);
        Assert.Contains("Give it an API key", html, StringComparison.Ordinal);
    }
}
