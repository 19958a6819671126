using System.Runtime.CompilerServices;
using BatchDashboard.Core.Queries;
using BatchDashboard.Dashboard.Components.Pages;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor.Services;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// The batch list's rows as HTML (<see cref="BatchListRows"/>: MudBlazor's chips and bar as static markup), rendered
/// once per page read from the cache and second, and shared by every view and every open page showing them. A page
/// read is kept until the cache's generation moves (<see cref="IBatchQueries.ListAsync"/> then returns the same
/// <see cref="BatchListPage"/>), and relative times ("10 s ago") are written to the second, so the HTML is the same
/// for every view in that second: a view renders one markup frame instead of some 16 MudBlazor components a row, and
/// an open page holds one shared string instead of their render tree. Measured: the list with those components in a
/// MudTable answered 49 pages/s to 50 clients and held 638 MB with 50 pages open (docs/PERFORMANCE.md).
/// </summary>
public sealed class BatchListRowsMarkup : IAsyncDisposable
{
    // Keyed by the page read itself: when the generation moves and nothing holds the page, its HTML goes with it.
    private readonly ConditionalWeakTable<BatchListPage, Rendered> _latest = [];

    // The rows' own services: MudBlazor's, which its components ask for even when they render to static HTML.
    private readonly ServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;

    public BatchListRowsMarkup(ILoggerFactory loggerFactory)
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

    private readonly Lock _gate = new();

    // The render itself is kept, so the views that ask while it runs (every open page and request right after the
    // cache changes, or the second turns) wait for the one render instead of each starting its own.
    private sealed record Rendered(DateTimeOffset Now, bool ManyConnections, Lazy<Task<MarkupString>> Html);

    /// <summary>
    /// The rows of <paramref name="page"/> at <paramref name="now"/> (whole seconds). Rows a
    /// live update marks (<paramref name="highlighted"/>) are one page's own, rendered for it and not kept.
    /// </summary>
    public async Task<MarkupString> GetAsync(BatchListPage page, DateTimeOffset now, bool manyConnections, IReadOnlySet<string> highlighted)
    {
        if (highlighted.Count > 0)
        {
            return await RenderAsync(page, now, manyConnections, highlighted);
        }

        Lazy<Task<MarkupString>> html;
        lock (_gate)
        {
            if (!_latest.TryGetValue(page, out var kept) || kept.Now != now || kept.ManyConnections != manyConnections
                || kept.Html is { IsValueCreated: true, Value.IsFaulted: true })
            {
                kept = new Rendered(now, manyConnections, new(() => RenderAsync(page, now, manyConnections, highlighted)));
                _latest.AddOrUpdate(page, kept);
            }

            html = kept.Html;
        }

        return await html.Value;
    }

    private async Task<MarkupString> RenderAsync(BatchListPage page, DateTimeOffset now, bool manyConnections, IReadOnlySet<string> highlighted)
    {
        // Each row shaped here, once for every view that shares the render (its insights, flags, relative times).
        var rows = new BatchRowViewModel[page.Items.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = BatchRowViewModel.From(page.Items[i], now);
        }

        var parameters = ParameterView.FromDictionary(new Dictionary<string, object?>
        {
            [nameof(BatchListRows.Rows)] = rows,
            [nameof(BatchListRows.Now)] = now,
            [nameof(BatchListRows.ManyConnections)] = manyConnections,
            [nameof(BatchListRows.Highlighted)] = highlighted,
        });
        await using var scope = _services.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, _loggerFactory);
        return new MarkupString(await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<BatchListRows>(parameters)).ToHtmlString()));
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    /// <summary>Static HTML goes nowhere: the rows' links are plain anchors, relative to the page's base.</summary>
    private sealed class StaticNavigationManager : NavigationManager
    {
        public StaticNavigationManager() => Initialize("http://rows.invalid/", "http://rows.invalid/");

        protected override void NavigateToCore(string uri, NavigationOptions options) =>
            throw new InvalidOperationException("The list's rows are static HTML: they do not navigate.");
    }

    /// <summary>Static HTML runs no script: nothing may call it.</summary>
    private sealed class StaticJsRuntime : Microsoft.JSInterop.IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) =>
            throw new InvalidOperationException("The list's rows are static HTML: no script runs while they render.");

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
            throw new InvalidOperationException("The list's rows are static HTML: no script runs while they render.");
    }
}
