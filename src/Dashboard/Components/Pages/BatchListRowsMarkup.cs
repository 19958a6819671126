using System.Runtime.CompilerServices;
using BatchDashboard.Core.Queries;
using BatchDashboard.Dashboard.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace BatchDashboard.Dashboard.Components.Pages;

/// <summary>
/// The batch list's rows as HTML (<see cref="BatchListRows"/>), rendered once per page read from the cache and second,
/// and shared by every view and every open page showing them. A page read is kept until the cache's generation moves
/// (<see cref="IBatchQueries.ListAsync"/> then returns the same <see cref="BatchListPage"/>), and relative times
/// ("10 s ago") are written to the second, so the HTML is the same for every view in that second: a view renders one
/// markup frame instead of some 70 frames a row, and an open page holds one shared string instead of a render tree of
/// its rows.
/// </summary>
public sealed class BatchListRowsMarkup(IServiceProvider services, ILoggerFactory loggerFactory)
{
    // Keyed by the page read itself: when the generation moves and nothing holds the page, its HTML goes with it.
    private readonly ConditionalWeakTable<BatchListPage, Rendered> _latest = [];

    private sealed record Rendered(DateTimeOffset Now, bool ManyConnections, MarkupString Html);

    /// <summary>Truncates a moment to the second, the resolution rows show times in.</summary>
    public static DateTimeOffset ToSecond(DateTimeOffset moment) =>
        new(moment.Ticks - (moment.Ticks % TimeSpan.TicksPerSecond), moment.Offset);

    /// <summary>
    /// The rows of <paramref name="page"/> at <paramref name="now"/> (whole seconds: see <see cref="ToSecond"/>).
    /// Rows a live update marks (<paramref name="highlighted"/>) are one page's own, rendered for it and not kept.
    /// </summary>
    public async Task<MarkupString> GetAsync(BatchListPage page, DateTimeOffset now, bool manyConnections, IReadOnlySet<string> highlighted)
    {
        var shared = highlighted.Count == 0;
        if (shared && _latest.TryGetValue(page, out var kept) && kept.Now == now && kept.ManyConnections == manyConnections)
        {
            return kept.Html;
        }

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
        await using var renderer = new HtmlRenderer(services, loggerFactory);
        var html = new MarkupString(await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<BatchListRows>(parameters)).ToHtmlString()));
        if (shared)
        {
            _latest.AddOrUpdate(page, new Rendered(now, manyConnections, html));
        }

        return html;
    }
}
