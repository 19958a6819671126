using BatchDashboard.Core;
using BatchDashboard.Dashboard.Components.Controls;
using BatchDashboard.Tests.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using BatchDashboard.Core.Cache;

namespace BatchDashboard.Dashboard.Tests.Controls;

/// <summary>Controls rendered to HTML by the framework's own renderer, with real services.</summary>
public sealed class ControlRenderingTests : IAsyncDisposable
{
    private readonly TemporaryDatabase _database = new();
    private readonly ServiceProvider _services;

    public ControlRenderingTests()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:BatchCache"] = _database.ConnectionString })
            .Build();
        _services = new ServiceCollection().AddLogging().AddBatchCore(configuration).BuildServiceProvider();
    }

    [Fact]
    public async Task EmptyState_RendersItsTitleAsAnH2_LabellingTheSection()
    {
        var html = await RenderAsync<EmptyState>(new() { [nameof(EmptyState.Title)] = "Nothing here", [nameof(EmptyState.Tone)] = "error" });

        Assert.Contains("class=\"empty-state empty-state--error\"", html, StringComparison.Ordinal);
        Assert.Matches("<section [^>]*aria-labelledby=\"(?<id>[^\"]+)\"[^>]*>\\s*<h2 id=\"\\k<id>\"", html);
        Assert.Contains(">Nothing here</h2>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyState_RendersAnH1_WhenItIsThePageTitle()
    {
        var html = await RenderAsync<EmptyState>(new() { [nameof(EmptyState.Title)] = "Gone", [nameof(EmptyState.IsPageTitle)] = true });

        Assert.Contains(">Gone</h1>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SystemStatus_ShowsTheDatabaseReachable_AndDisablesCheckNow_BeforeTheCircuitIsLive()
    {
        await _services.GetRequiredService<IBatchCacheDatabase>().MigrateAsync(TestContext.Current.CancellationToken);

        var html = await RenderAsync<SystemStatus>([]);

        Assert.Contains("<span data-testid=\"cache-state\">Reachable</span>", html, StringComparison.Ordinal);
        Assert.Contains(_database.FilePath, html, StringComparison.Ordinal);
        Assert.Matches("<button [^>]*disabled[^>]*>\\s*Check now", html);
    }

    private async Task<string> RenderAsync<TComponent>(Dictionary<string, object?> parameters) where TComponent : IComponent
    {
        await using var renderer = new HtmlRenderer(_services, _services.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters));
            return output.ToHtmlString();
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _database.Dispose();
    }
}
