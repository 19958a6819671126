using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;
using BatchDashboard.Dashboard.Components.Pages;
using BatchDashboard.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchDashboard.Dashboard.Tests.Pages;

/// <summary>The list's rows rendered to HTML once per page read and second, by the framework's own renderer.</summary>
public sealed class BatchListRowsMarkupTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(TestBatches.Created);
    private static readonly HashSet<string> None = [];

    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();
    private readonly BatchListRowsMarkup _markup;

    public BatchListRowsMarkupTests() => _markup = new(_services, NullLoggerFactory.Instance);

    private static BatchListPage Page(params string[] json) =>
        new([.. json.Select(j => new CachedBatch("openai", BatchReader.Read(j).Batch!, Created, Created))], NextCursor: null);

    [Fact]
    public async Task Rows_AreOneRowPerBatch_WithTheControlsMarkup_AndTheirTextEncoded()
    {
        var page = Page(
            TestBatches.Json("batch_68ffc52039d08190aac1dd7fdc35826f", "in_progress"),
            TestBatches.Json("batch_<b>&\"x\"", "completed", change: b => b["metadata"] = new System.Text.Json.Nodes.JsonObject { ["team"] = "<script>" }));

        var html = (await _markup.GetAsync(page, Created.AddSeconds(10), manyConnections: false, None)).Value;

        Assert.Equal(2, html.Split("<tr ").Length - 1);
        Assert.Contains("<tr data-batch-id=\"batch_68ffc52039d08190aac1dd7fdc35826f\"><td>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"status-chip status-in-progress\">in progress</span>", html, StringComparison.Ordinal);
        Assert.Contains("data-copy=\"batch_68ffc52039d08190aac1dd7fdc35826f\"", html, StringComparison.Ordinal);
        Assert.Contains(">10 s ago</time>", html, StringComparison.Ordinal);
        Assert.Contains("4 / 10</span>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("openai</td>", html, StringComparison.Ordinal); // one connection: no connection column
    }

    [Fact]
    public async Task SamePageRead_InTheSameSecond_IsTheSameString_ForEveryView()
    {
        var page = Page(TestBatches.Json("batch_a", "in_progress"));
        var now = Created.AddSeconds(10);

        var first = await _markup.GetAsync(page, now, manyConnections: false, None);
        var second = await _markup.GetAsync(page, now, manyConnections: false, None);

        Assert.Same(first.Value, second.Value);
    }

    [Fact]
    public async Task NextSecond_AnotherPageRead_OrAConnectionColumn_RenderAgain()
    {
        var json = TestBatches.Json("batch_a", "in_progress");
        var page = Page(json);
        var now = Created.AddSeconds(10);
        var first = (await _markup.GetAsync(page, now, manyConnections: false, None)).Value;

        var later = (await _markup.GetAsync(page, now.AddSeconds(1), manyConnections: false, None)).Value;
        var reread = (await _markup.GetAsync(Page(json), now, manyConnections: false, None)).Value;
        var many = (await _markup.GetAsync(page, now, manyConnections: true, None)).Value;

        Assert.Contains(">10 s ago</time>", first, StringComparison.Ordinal);
        Assert.Contains(">11 s ago</time>", later, StringComparison.Ordinal);
        Assert.Equal(first, reread);
        Assert.NotSame(first, reread);
        Assert.Contains("<td>openai</td></tr>", many, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MarkedRows_AreOnePagesOwn_AndNotKeptForOthers()
    {
        var page = Page(TestBatches.Json("batch_a", "in_progress"), TestBatches.Json("batch_b", "completed"));
        var now = Created.AddSeconds(10);

        var marked = (await _markup.GetAsync(page, now, manyConnections: false, new HashSet<string> { "batch_b" })).Value;
        var plain = (await _markup.GetAsync(page, now, manyConnections: false, None)).Value;

        Assert.Contains("<tr data-batch-id=\"batch_b\" class=\"row-changed\">", marked, StringComparison.Ordinal);
        Assert.Contains("<tr data-batch-id=\"batch_a\"><td>", marked, StringComparison.Ordinal);
        Assert.DoesNotContain("row-changed", plain, StringComparison.Ordinal);
    }

    [Fact]
    public void ToSecond_DropsTheFractionOnly()
    {
        var moment = new DateTimeOffset(2026, 12, 1, 10, 0, 5, 999, TimeSpan.FromHours(1)).AddTicks(1234);

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 5, TimeSpan.FromHours(1)), BatchListRowsMarkup.ToSecond(moment));
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
