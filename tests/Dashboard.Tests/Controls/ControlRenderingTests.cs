using BatchDashboard.Core;
using BatchDashboard.Core.Cache;
using BatchDashboard.Dashboard.Components.Controls;
using BatchDashboard.Dashboard.Tests.Support;
using BatchDashboard.Tests.Shared;
using Bunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Dashboard.Tests.Controls;

/// <summary>Controls rendered by bUnit with real services (Core over a SQLite file), as before the circuit is live.</summary>
public sealed class ControlRenderingTests : MudTestContext
{
    private readonly TemporaryDatabase _database = new();

    public ControlRenderingTests()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:BatchCache"] = _database.ConnectionString })
            .Build();
        Services.AddLogging().AddBatchCore(configuration);
    }

    [Fact]
    public void EmptyState_RendersItsTitleAsAnH2_LabellingTheRegion()
    {
        var state = Render<EmptyState>(p => p.Add(c => c.Title, "Nothing here").Add(c => c.Tone, "error"));

        var region = state.Find("[role=region]");
        Assert.Contains("empty-state--error", region.ClassList);
        var heading = state.Find("h2");
        Assert.Equal(region.GetAttribute("aria-labelledby"), heading.Id);
        Assert.Equal("Nothing here", heading.TextContent);
    }

    [Fact]
    public void EmptyState_RendersAnH1_WhenItIsThePageTitle()
    {
        var state = Render<EmptyState>(p => p.Add(c => c.Title, "Gone").Add(c => c.IsPageTitle, true));

        Assert.Equal("Gone", state.Find("h1").TextContent);
    }

    [Fact]
    public async Task SystemStatus_ShowsTheDatabaseReachable_AndDisablesCheckNow_BeforeTheCircuitIsLive()
    {
        await Services.GetRequiredService<IBatchCacheDatabase>().MigrateAsync(Token);

        // As the server prerenders it: no circuit yet.
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Static", isInteractive: false));
        var status = Render<SystemStatus>();

        status.WaitForAssertion(() => Assert.Equal("Reachable", status.Find("[data-testid=cache-state]").TextContent));
        Assert.Contains(_database.FilePath, status.Markup, StringComparison.Ordinal);
        var check = status.Find("button");
        Assert.Contains("Check now", check.TextContent, StringComparison.Ordinal);
        Assert.True(check.HasAttribute("disabled"));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _database.Dispose();
    }
}
