using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor.Services;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// Renders a component to HTML once, for markup that many views share (the list's rows, the theme's custom
/// properties): MudBlazor's components as static HTML, with their own services, outside any request or circuit.
/// </summary>
public sealed class StaticHtml : IAsyncDisposable
{
    // MudBlazor's services, which its components ask for even when they render to static HTML.
    private readonly ServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;

    public StaticHtml(ILoggerFactory loggerFactory)
    {
        _loggerFactory = loggerFactory;
        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory);
        services.AddLogging();
        services.AddMudServices();
        services.AddSingleton<Microsoft.JSInterop.IJSRuntime, StaticJsRuntime>();
        services.AddSingleton<NavigationManager, StaticNavigationManager>();
        _services = services.BuildServiceProvider();
    }

    /// <summary>The HTML of <typeparamref name="TComponent"/> given <paramref name="parameters"/>.</summary>
    public async Task<MarkupString> RenderAsync<TComponent>(IDictionary<string, object?> parameters)
        where TComponent : IComponent
    {
        await using var scope = _services.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, _loggerFactory);
        var view = ParameterView.FromDictionary(parameters);
        return new MarkupString(await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(view)).ToHtmlString()));
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    /// <summary>Static HTML goes nowhere: its links are plain anchors, relative to the page's base.</summary>
    private sealed class StaticNavigationManager : NavigationManager
    {
        public StaticNavigationManager() => Initialize("http://static.invalid/", "http://static.invalid/");

        protected override void NavigateToCore(string uri, NavigationOptions options) =>
            throw new InvalidOperationException("Static HTML does not navigate.");
    }

    /// <summary>
    /// Static HTML runs no script. A component that asks anyway (MudBlazor's theme provider stops watching the
    /// system's dark mode when it is disposed) is answered with nothing, rather than with an exception each time.
    /// </summary>
    private sealed class StaticJsRuntime : Microsoft.JSInterop.IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) => ValueTask.FromResult(default(TValue)!);

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
            ValueTask.FromResult(default(TValue)!);
    }
}
