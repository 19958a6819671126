using System.Runtime.CompilerServices;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;
using Microsoft.Extensions.Options;
using BatchDashboard.Dashboard.Components.Pages;
using Microsoft.AspNetCore.Components;

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
public sealed class BatchListRowsMarkup(StaticHtml renderer, IOptions<BatchInsightOptions> flags)
{
    // Keyed by the page read itself: when the generation moves and nothing holds the page, its HTML goes with it.
    private readonly ConditionalWeakTable<BatchListPage, Rendered> _latest = [];

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
            rows[i] = BatchRowViewModel.From(page.Items[i], now, flags.Value);
        }

        return await renderer.RenderAsync<BatchListRows>(new Dictionary<string, object?>
        {
            [nameof(BatchListRows.Rows)] = rows,
            [nameof(BatchListRows.Now)] = now,
            [nameof(BatchListRows.ManyConnections)] = manyConnections,
            [nameof(BatchListRows.Highlighted)] = highlighted,
        });
    }
}
