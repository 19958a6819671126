using System.Net;
using System.Text.RegularExpressions;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;
using BatchDashboard.Dashboard.Components.Controls;
using BatchDashboard.Tests.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchDashboard.Dashboard.Tests.Controls;

/// <summary>The design system's controls, rendered to HTML by the framework's own renderer.</summary>
public sealed class ChartAndTimelineRenderingTests
{
    private const long C = TestBatches.Created;
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(C);

    private static async Task<string> RenderAsync<TComponent>(Dictionary<string, object?> parameters) where TComponent : IComponent
    {
        await using var services = new ServiceCollection().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
        return WebUtility.HtmlDecode(html);
    }

    private static RequestProgress Progress(int total, int completed, int failed) =>
        new(total, completed, failed, Math.Max(0, total - completed - failed), total > 0 ? (completed + failed) / (double)total : null);

    private static Batch Batch(string status, Action<System.Text.Json.Nodes.JsonObject>? change = null) =>
        BatchReader.Read(TestBatches.Json("batch_x", status, change: change)).Batch!;

    [Fact]
    public async Task RequestDonut_DrawsEachPartAsItsShareOfTheCircle_AndTablesTheSameNumbers()
    {
        var html = await RenderAsync<RequestDonut>(new() { [nameof(RequestDonut.Progress)] = Progress(200, 100, 50) });

        // r = 40: circumference 251.327; half is completed, a quarter failed, a quarter pending, clockwise from the top.
        Assert.Contains("""stroke-dasharray="125.664 125.664" stroke-dashoffset="0" data-arc="completed" """.TrimEnd(), html, StringComparison.Ordinal);
        Assert.Contains("""stroke-dasharray="62.832 188.496" stroke-dashoffset="-125.664" data-arc="failed" """.TrimEnd(), html, StringComparison.Ordinal);
        Assert.Contains("""stroke-dasharray="62.832 188.496" stroke-dashoffset="-188.496" data-arc="pending" """.TrimEnd(), html, StringComparison.Ordinal);
        Assert.Contains("""role="img" aria-label="100 completed, 50 failed and 50 pending of 200 requests" """.TrimEnd(), html, StringComparison.Ordinal);
        Assert.Matches("<tr data-part=\"completed\"><th scope=\"row\">.*Completed</th>\\s*<td class=\"donut__count\">100</td>\\s*<td class=\"donut__share\">50%</td>", html);
        Assert.Matches("<tfoot><tr><th scope=\"row\">Total</th><td class=\"donut__count\">200</td>", html);
    }

    [Fact]
    public async Task RequestDonut_OfAnEndedBatch_CallsItsPendingRequestsNotRun_AndSmallSharesGetADecimal()
    {
        var html = await RenderAsync<RequestDonut>(new() { [nameof(RequestDonut.Progress)] = Progress(1000, 500, 3), [nameof(RequestDonut.Ended)] = true });

        Assert.Matches("Not run</th>\\s*<td class=\"donut__count\">497</td>", html);
        Assert.Contains("<td class=\"donut__share\">0.3%</td>", html, StringComparison.Ordinal);
        Assert.Contains("497 not run of 1,000", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestDonut_WithNoCounts_DrawsOnlyTheTrack()
    {
        var html = await RenderAsync<RequestDonut>(new() { [nameof(RequestDonut.Progress)] = Progress(0, 0, 0) });

        Assert.DoesNotContain("data-arc", html, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"No requests counted yet\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProgressChart_DrawsTheSnapshots_WithTheYScaleAndAnAccessibleSummary()
    {
        var history = new BatchProgressPoint[]
        {
            new(Created, "in_progress", 100, 0, 0), new(Created.AddMinutes(10), "completed", 100, 80, 20),
        };

        var html = await RenderAsync<ProgressChart>(new()
        {
            [nameof(ProgressChart.History)] = history, [nameof(ProgressChart.Current)] = Progress(100, 80, 20), [nameof(ProgressChart.Now)] = Created.AddDays(1),
        });

        Assert.Contains("points=\"0,160 600,32\" data-series=\"completed\"", html, StringComparison.Ordinal);
        Assert.Contains("points=\"0,160 600,128\" data-series=\"failed\"", html, StringComparison.Ordinal);
        Assert.Matches("<div class=\"progress-chart__y\" aria-hidden=\"true\"><span>100</span>\\s*<span>50</span>\\s*<span>0</span>", html);
        Assert.Contains("now 80 completed and 20 failed of 100.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-series=\"projection\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, true, "No request counts yet")]
    [InlineData(0, false, "No request of this batch ran.")]
    [InlineData(10, true, "The chart fills in as the sync sees the counts change.")]
    [InlineData(10, false, "only its final counts are known")]
    public async Task ProgressChart_SaysWhyThereIsNoChart(int total, bool running, string expected)
    {
        var html = await RenderAsync<ProgressChart>(new()
        {
            [nameof(ProgressChart.History)] = total == 0 ? Array.Empty<BatchProgressPoint>() : [new(Created, "in_progress", total, 1, 0)],
            [nameof(ProgressChart.Current)] = Progress(total, Math.Min(total, 1), 0), [nameof(ProgressChart.Running)] = running,
            [nameof(ProgressChart.Now)] = Created,
        });

        Assert.Contains(expected, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<svg", html, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> Statuses => new()
    {
        { "validating", "validating", "validating" },
        { "in_progress", "validating in_progress", "in_progress" },
        { "finalizing", "validating in_progress finalizing", "finalizing" },
        { "completed", "validating in_progress finalizing completed", "" },
        { "failed", "validating failed", "" },
        { "expired", "validating in_progress expired", "" },
        { "cancelling", "validating in_progress cancelling", "cancelling" },
        { "cancelled", "validating in_progress cancelling cancelled", "" },
        { "on_hold", "validating in_progress on_hold", "on_hold" },
    };

    [Theory]
    [MemberData(nameof(Statuses))]
    public async Task StatusTimeline_ShowsEveryPhase_AndMarksTheCurrentStep(string status, string phases, string current)
    {
        var batch = Batch(status, b =>
        {
            if (status is "validating" or "failed") { b["in_progress_at"] = null; }
            if (status == "failed") { b["failed_at"] = C + 40; }
            if (status == "finalizing") { b["finalizing_at"] = C + 600; }
            if (status == "expired") { b["expired_at"] = C + 86_460; }
            if (status is "cancelling" or "cancelled") { b["cancelling_at"] = C + 300; }
            if (status == "cancelled") { b["cancelled_at"] = C + 420; }
        });
        var now = Created.AddMinutes(20);

        var html = await RenderAsync<StatusTimeline>(new()
        {
            [nameof(StatusTimeline.Batch)] = batch, [nameof(StatusTimeline.Insights)] = BatchInsights.Of(batch, now), [nameof(StatusTimeline.Now)] = now,
        });

        Assert.Equal(phases, string.Join(' ', Regex.Matches(html, "data-phase=\"([^\"]+)\"").Select(m => m.Groups[1].Value)));
        var marked = Regex.Matches(html, "data-phase=\"([^\"]+)\" aria-current=\"step\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(current, string.Join(' ', marked));
        if (BatchStatus.Parse(status).IsTerminal)
        {
            Assert.DoesNotContain("data-testid=\"expiry\"", html, StringComparison.Ordinal);
            Assert.Contains("after it was created", html, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("The completion window ends in <strong>23 h 40 min</strong>", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StatusTimeline_OfARunningBatch_SaysHowLongItsPhaseHasLastedSoFar()
    {
        var batch = Batch("in_progress");
        var now = Created.AddMinutes(30);

        var html = await RenderAsync<StatusTimeline>(new()
        {
            [nameof(StatusTimeline.Batch)] = batch, [nameof(StatusTimeline.Insights)] = BatchInsights.Of(batch, now), [nameof(StatusTimeline.Now)] = now,
        });

        Assert.Contains("<span class=\"timeline__duration\" data-testid=\"current-phase\">for 29 min so far</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"timeline__duration\">took 5 s</span>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("in_progress", "status-in-progress", "in progress")]
    [InlineData("CANCELLED", "status-cancelled", "cancelled")]
    [InlineData("canceling", "status-cancelling", "cancelling")]
    [InlineData("paused", "status-unknown", "paused")]
    public async Task StatusChip_TakesTheColourOfItsStatus(string raw, string css, string text)
    {
        var html = await RenderAsync<StatusChip>(new() { [nameof(StatusChip.Status)] = BatchStatus.Parse(raw) });

        Assert.StartsWith($"<span class=\"status-chip {css}\"", html, StringComparison.Ordinal);
        Assert.EndsWith($">{text}</span>", html, StringComparison.Ordinal);
        Assert.Equal(css == "status-unknown", html.Contains("title=\"A status this version does not know", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Timestamp_CarriesTheMachineTime_AndTheExactUtcTime_ForTheBrowserToLocalize()
    {
        var html = await RenderAsync<Timestamp>(new() { [nameof(Timestamp.At)] = Created, [nameof(Timestamp.Now)] = Created.AddHours(3) });
        var missing = await RenderAsync<Timestamp>(new() { [nameof(Timestamp.At)] = null, [nameof(Timestamp.Missing)] = "never" });

        Assert.Equal("<time datetime=\"2025-10-27T19:16:48Z\" title=\"2025-10-27 19:16:48 UTC\">3 h ago</time>", html);
        Assert.Equal("<span class=\"muted\">never</span>", missing);
    }

    [Fact]
    public async Task ConfirmDialog_IsAModalAlertDialog_LabelledByItsTitle_OnlyWhileOpen()
    {
        var closed = await RenderAsync<ConfirmDialog>(new() { [nameof(ConfirmDialog.Title)] = "Cancel this batch?" });
        var open = await RenderAsync<ConfirmDialog>(new()
        {
            [nameof(ConfirmDialog.Open)] = true, [nameof(ConfirmDialog.Title)] = "Cancel this batch?", [nameof(ConfirmDialog.Danger)] = true,
            [nameof(ConfirmDialog.ConfirmText)] = "Cancel batch", [nameof(ConfirmDialog.CancelText)] = "Keep it running",
        });

        Assert.Equal("", closed.Trim());
        var id = Regex.Match(open, "role=\"alertdialog\" aria-modal=\"true\" aria-labelledby=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(id);
        Assert.Contains($"<h2 id=\"{id}\" class=\"dialog__title\">Cancel this batch?</h2>", open, StringComparison.Ordinal);
        Assert.Contains("class=\"button button--secondary\">Keep it running</button>", open, StringComparison.Ordinal);
        Assert.Contains("class=\"button button--danger\" data-testid=\"confirm\">Cancel batch</button>", open, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tooltip_DescribesAFocusableTrigger()
    {
        var html = await RenderAsync<Tooltip>(new() { [nameof(Tooltip.Text)] = "Requests not finished when the window ends are not run." });

        var id = Regex.Match(html, "tabindex=\"0\" aria-describedby=\"([^\"]+)\"").Groups[1].Value;
        Assert.Contains($"role=\"tooltip\" id=\"{id}\">Requests not finished", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlagList_GivesEachFlagsTooltipAnIdOfItsOwn_ThatDescribesItsTrigger()
    {
        var html = await RenderAsync<FlagList>(new()
        {
            [nameof(FlagList.Flags)] = new List<BatchDashboard.Dashboard.Model.FlagView> { new("stuck", "In a phase for hours."), new("expiring", "Expires within the hour.") },
        });

        var ids = Regex.Matches(html, "aria-describedby=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, ids.Distinct().Count());
        Assert.Contains($"role=\"tooltip\" id=\"{ids[0]}\">In a phase for hours.", html, StringComparison.Ordinal);
        Assert.Contains($"role=\"tooltip\" id=\"{ids[1]}\">Expires within the hour.", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"flag\">stuck</span>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProgressBar_StacksCompletedAndFailed_AsSharesOfTheTotal()
    {
        var html = await RenderAsync<ProgressBar>(new() { [nameof(ProgressBar.Total)] = 300, [nameof(ProgressBar.Completed)] = 200, [nameof(ProgressBar.Failed)] = 1 });

        Assert.Contains("style=\"width: 66.67%\"", html, StringComparison.Ordinal);
        Assert.Contains("style=\"width: 0.33%\"", html, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"200 completed, 1 failed, 99 pending of 300\"", html, StringComparison.Ordinal);
    }
}
