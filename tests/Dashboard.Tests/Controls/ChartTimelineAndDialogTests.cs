using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;
using BatchDashboard.Dashboard.Components.Controls;
using BatchDashboard.Dashboard.Model;
using BatchDashboard.Dashboard.Tests.Support;
using BatchDashboard.Tests.Shared;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace BatchDashboard.Dashboard.Tests.Controls;

/// <summary>The detail page's charts, timeline and confirm dialog on MudBlazor, rendered by bUnit for given data.</summary>
public sealed class ChartTimelineAndDialogTests : MudTestContext
{
    private const long C = TestBatches.Created;
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(C);

    private static RequestProgress Progress(int total, int completed, int failed) =>
        new(total, completed, failed, Math.Max(0, total - completed - failed), total > 0 ? (completed + failed) / (double)total : null);

    private static Batch Batch(string status, Action<System.Text.Json.Nodes.JsonObject>? change = null) =>
        BatchReader.Read(TestBatches.Json("batch_x", status, change: change)).Batch!;

    [Fact]
    public void RequestDonut_DrawsEachPartInItsColour_AndTablesTheSameNumbers()
    {
        var donut = Render<RequestDonut>(p => p.Add(c => c.Progress, Progress(200, 100, 50)));

        // MudChart's donut, one segment a part, each in the colour the stylesheet maps to the theme's status colour.
        var segments = donut.FindAll("path.mud-chart-serie");
        Assert.Equal([RequestDonut.PartColours["completed"], RequestDonut.PartColours["failed"], RequestDonut.PartColours["pending"]],
            segments.Select(s => s.GetAttribute("fill")));
        Assert.Equal("100 completed, 50 failed and 50 pending of 200 requests", donut.Find(".donut__ring").GetAttribute("aria-label"));
        var completed = donut.Find("tr[data-part=completed]");
        Assert.Equal(["100", "50%"], completed.QuerySelectorAll("td").Select(td => td.TextContent));
        Assert.Equal("200", donut.Find("tfoot .donut__count").TextContent);
    }

    [Fact]
    public void RequestDonut_OfAnEndedBatch_CallsItsPendingRequestsNotRun_SkipsEmptyParts_AndSmallSharesGetADecimal()
    {
        var donut = Render<RequestDonut>(p => p.Add(c => c.Progress, Progress(1000, 500, 3)).Add(c => c.Ended, true));

        var notRun = donut.Find("tr[data-part=pending]");
        Assert.Contains("Not run", notRun.TextContent, StringComparison.Ordinal);
        Assert.Equal("497", notRun.QuerySelector(".donut__count")!.TextContent);
        Assert.Equal("0.3%", donut.Find("tr[data-part=failed] .donut__share").TextContent);
        Assert.Contains("497 not run of 1,000", donut.Find(".donut__ring").GetAttribute("aria-label"), StringComparison.Ordinal);

        var finished = Render<RequestDonut>(p => p.Add(c => c.Progress, Progress(10, 10, 0)).Add(c => c.Ended, true));
        Assert.Equal([RequestDonut.PartColours["completed"]], finished.FindAll("path.mud-chart-serie").Select(s => s.GetAttribute("fill")));
    }

    [Fact]
    public void RequestDonut_WithNoCounts_DrawsOnlyTheTrack()
    {
        var donut = Render<RequestDonut>(p => p.Add(c => c.Progress, Progress(0, 0, 0)));

        Assert.Empty(donut.FindAll(".mud-chart"));
        Assert.Single(donut.FindAll(".donut__track"));
        Assert.Equal("No requests counted yet", donut.Find(".donut__ring").GetAttribute("aria-label"));
    }

    [Fact]
    public void ProgressChart_TablesTheSnapshots_WithAnAccessibleSummary_AndNoProjectionOnceEnded()
    {
        var history = new BatchProgressPoint[] { new(Created, "in_progress", 100, 0, 0), new(Created.AddMinutes(10), "completed", 100, 80, 20) };

        var chart = RenderChart(p => p.Add(c => c.History, history).Add(c => c.Current, Progress(100, 80, 20)).Add(c => c.Now, Created.AddDays(1)));

        Assert.NotEmpty(chart.FindAll("svg.mud-chart-line"));
        var rows = chart.FindAll(".visually-hidden table tbody tr");
        Assert.Equal(["2025-10-27 19:16:48 UTC 0 0", "2025-10-27 19:26:48 UTC 80 20"],
            rows.Select(r => string.Join(' ', r.Children.Select(c => c.TextContent))));
        Assert.EndsWith("now 80 completed and 20 failed of 100.", chart.Find(".progress-chart__plot").GetAttribute("aria-label"), StringComparison.Ordinal);
        Assert.DoesNotContain("at the recent pace", chart.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgressChart_Prerendered_KeepsTheChartsPlace_AndItsNumbers_WithoutTheSvg()
    {
        Renderer.SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        var history = new BatchProgressPoint[] { new(Created, "in_progress", 100, 0, 0), new(Created.AddMinutes(10), "completed", 100, 80, 20) };

        var chart = Render<ProgressChart>(p => p.Add(c => c.History, history).Add(c => c.Current, Progress(100, 80, 20)).Add(c => c.Now, Created.AddDays(1)));

        Assert.Empty(chart.FindAll("svg"));
        Assert.Single(chart.FindAll(".progress-chart__pending"));
        Assert.Equal(2, chart.FindAll(".visually-hidden table tbody tr").Count);
    }

    [Fact]
    public void ProgressChart_OfARunningBatch_CarriesItsPaceOnToTheEstimatedEnd_UnderALineAt100Percent()
    {
        var now = Created.AddMinutes(20);
        var history = new BatchProgressPoint[] { new(Created, "in_progress", 100, 0, 0), new(Created.AddMinutes(10), "in_progress", 100, 40, 0) };
        var projection = new ProgressProjection(4, ThroughputBasis.Recent, now.AddMinutes(15), null, TimeSpan.FromMinutes(4));
        var batch = BatchReader.Read(TestBatches.Json("b", "in_progress", total: 100, completed: 40, failed: 0)).Batch!;

        var chart = RenderChart(p => p.Add(c => c.History, history).Add(c => c.Current, Progress(100, 40, 0))
            .Add(c => c.Running, true).Add(c => c.Projection, projection).Add(c => c.Now, now).Add(c => c.Batch, batch));

        // Held at 40 until now, then 15 minutes at 4 a minute: every request by the estimated end.
        var last = chart.FindAll(".visually-hidden table tbody tr")[^1];
        Assert.Equal("2025-10-27 19:51:48 UTC, estimated end, at the pace of the last 4 min", last.Children[0].TextContent);
        Assert.Equal("about 100 finished", last.Children[1].TextContent);
        var legend = chart.Find(".chart-legend").TextContent;
        Assert.Contains("at the pace of the last 4 min", legend, StringComparison.Ordinal);
        Assert.Contains("all 100 requests (100%)", legend, StringComparison.Ordinal);
        Assert.Contains("the window ends 23 h 25 min after that", chart.Find("[data-testid=window-end]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgressChart_OfABatchThatWouldNotFinishInItsWindow_EndsAtTheWindow_SayingHowManyWouldNotRun()
    {
        var now = Created.AddHours(20);
        var history = new BatchProgressPoint[] { new(Created.AddHours(1), "in_progress", 1_000, 100, 0), new(now, "in_progress", 1_000, 500, 0) };
        var projection = new ProgressProjection(0.5, ThroughputBasis.Average, now.AddMinutes(1_000), 380, TimeSpan.FromHours(20));
        var batch = BatchReader.Read(TestBatches.Json("b", "in_progress", total: 1_000, completed: 500, failed: 0)).Batch!;

        var chart = RenderChart(p => p.Add(c => c.History, history).Add(c => c.Current, Progress(1_000, 500, 0))
            .Add(c => c.Running, true).Add(c => c.Projection, projection).Add(c => c.Now, now).Add(c => c.Batch, batch));

        var last = chart.FindAll(".visually-hidden table tbody tr")[^1];
        Assert.Equal("2025-10-28 19:16:48 UTC, the window's end, at the average pace since it went in progress", last.Children[0].TextContent);
        Assert.Equal("about 620 finished", last.Children[1].TextContent);
        Assert.Equal("the completion window ends at the right edge: about 380 requests would not run", chart.Find("[data-testid=window-end]").TextContent);
    }

    [Fact]
    public void ProgressChart_StartsWhenTheBatchWentInProgress_EstimatedUpToTheFirstCountsSeen()
    {
        var now = Created.AddMinutes(30);
        var batch = BatchReader.Read(TestBatches.Json("b", "in_progress")).Batch!; // in progress 5 s after it was created
        var history = new BatchProgressPoint[] { new(Created.AddMinutes(20), "in_progress", 100, 40, 0) };

        var chart = RenderChart(p => p.Add(c => c.History, history).Add(c => c.Current, Progress(100, 40, 0))
            .Add(c => c.Running, true).Add(c => c.Now, now).Add(c => c.Batch, batch));

        Assert.NotEmpty(chart.FindAll("svg.mud-chart-line"));
        Assert.Contains("estimated, from when it went in progress", chart.Find("[data-testid=lead-in]").TextContent, StringComparison.Ordinal);
        var first = chart.FindAll(".visually-hidden table tbody tr")[0];
        Assert.Equal("2025-10-27 19:16:53 UTC, in progress", first.Children[0].TextContent);
        Assert.StartsWith("Requests finished over time, from 2025-10-27 19:16:53 UTC", chart.Find(".progress-chart__plot").GetAttribute("aria-label"), StringComparison.Ordinal);
    }

    [Fact]
    public void ProgressChart_OfABatchFirstSeenEnded_DrawsItsCountsFromWhenItsRequestsWereDone()
    {
        var batch = BatchReader.Read(TestBatches.Json("b", "completed", total: 100, failed: 20)).Batch!; // finalizing 10 min after creation
        // Imported a day later: the one snapshot is when the cache read it, not when the batch ran.
        var history = new BatchProgressPoint[] { new(Created.AddDays(1), "completed", 100, 80, 20) };

        var chart = RenderChart(p => p.Add(c => c.History, history).Add(c => c.Current, Progress(100, 80, 20))
            .Add(c => c.Now, Created.AddDays(1)).Add(c => c.Batch, batch));

        Assert.Empty(chart.FindAll("[data-testid=chart-empty]"));
        var rows = chart.FindAll(".visually-hidden table tbody tr").Select(r => r.Children[0].TextContent).ToList();
        Assert.Equal(["2025-10-27 19:16:53 UTC, in progress", "2025-10-27 19:26:48 UTC"], rows);
    }

    [Theory]
    [InlineData(0, true, "No request counts yet")]
    [InlineData(0, false, "No request of this batch ran.")]
    [InlineData(10, true, "The chart fills in as the sync sees the counts change.")]
    [InlineData(10, false, "only its final counts are known")]
    public void ProgressChart_SaysWhyThereIsNoChart(int total, bool running, string expected)
    {
        var chart = RenderChart(p => p
            .Add(c => c.History, total == 0 ? Array.Empty<BatchProgressPoint>() : [new(Created, "in_progress", total, 1, 0)])
            .Add(c => c.Current, Progress(total, Math.Min(total, 1), 0)).Add(c => c.Running, running).Add(c => c.Now, Created));

        Assert.Contains(expected, chart.Find("[data-testid=chart-empty]").TextContent, StringComparison.Ordinal);
        Assert.Empty(chart.FindAll("svg"));
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

    /// <summary>The progress chart as a live page shows it (the SVG is drawn once the circuit is up).</summary>
    private IRenderedComponent<ProgressChart> RenderChart(Action<ComponentParameterCollectionBuilder<ProgressChart>> parameters)
    {
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return Render(parameters);
    }

    /// <summary>The timeline as a live page shows it (its exact times in tooltips).</summary>
    private IRenderedComponent<StatusTimeline> RenderTimeline(Batch batch, DateTimeOffset now)
    {
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return Render<StatusTimeline>(p => p.Add(c => c.Batch, batch).Add(c => c.Insights, BatchInsights.Of(batch, now)).Add(c => c.Now, now));
    }

    [Theory]
    [MemberData(nameof(Statuses))]
    public void StatusTimeline_ShowsEveryPhase_AndMarksTheCurrentStep(string status, string phases, string current)
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

        var timeline = RenderTimeline(batch, now);

        var items = timeline.FindAll("[role=listitem]");
        Assert.Equal(phases, string.Join(' ', items.Select(i => i.GetAttribute("data-phase"))));
        Assert.Equal(current, string.Join(' ', items.Where(i => i.GetAttribute("aria-current") == "step").Select(i => i.GetAttribute("data-phase"))));
        Assert.Equal("list", timeline.Find(".mud-timeline").GetAttribute("role"));
        if (BatchStatus.Parse(status).IsTerminal)
        {
            Assert.Empty(timeline.FindAll("[data-testid=expiry]"));
            Assert.Contains("after it was created", timeline.Markup, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("The completion window ends in 23 h 40 min", timeline.Find("[data-testid=expiry]").TextContent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void StatusTimeline_OfARunningBatch_SaysHowLongItsPhaseHasLastedSoFar()
    {
        var batch = Batch("in_progress");
        var now = Created.AddMinutes(30);

        var timeline = RenderTimeline(batch, now);

        Assert.Equal("for 29 min so far", timeline.Find("[data-testid=current-phase]").TextContent);
        Assert.Contains("took 5 s", timeline.FindAll(".timeline__duration").Select(d => d.TextContent));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ConfirmDialog_AnswersTheChoice_TheSafeOneFirst(bool confirm)
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        RenderFragment body = b => b.AddContent(0, "Pending requests are not run.");

        var answer = provider.InvokeAsync(() => ConfirmDialog.ConfirmAsync(dialogs, "Cancel this batch?", body, "Cancel batch", "Keep it running", danger: true));

        var dialog = provider.WaitForElement("[data-testid=confirm-dialog]");
        Assert.Contains("Cancel this batch?", provider.Find(".mud-dialog-title").TextContent, StringComparison.Ordinal);
        Assert.Contains("Pending requests are not run.", dialog.TextContent, StringComparison.Ordinal);
        var buttons = provider.FindAll(".mud-dialog-actions button");
        Assert.Equal(["Keep it running", "Cancel batch"], buttons.Select(b => b.TextContent.Trim()));
        Assert.Contains("mud-button-filled-error", buttons[1].ClassList);

        await (confirm ? buttons[1] : buttons[0]).ClickAsync(new());

        Assert.Equal(confirm, await answer);
        provider.WaitForAssertion(() => Assert.Empty(provider.FindAll("[data-testid=confirm-dialog]")));
    }

    [Fact]
    public async Task RetryDialog_StartsFromWhatMaySucceed_SaysHowManyAndTheCost_AndAnswersTheCodesChosen()
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        RetryOption[] options =
        [
            new("server_error", "server_error", 295, "The server had an error.", true),
            new("batch_expired", RetryOption.LabelOf("batch_expired"), 5, null, true),
            new("invalid_value", "invalid_value", 441, "Invalid 'max_tokens'.", false),
            new(null, "without a result", 3, null, false),
        ];

        var answer = provider.InvokeAsync(() => RetryDialog.AskAsync(dialogs, "/v1/responses", options, 0.002m));

        provider.WaitForElement("[data-testid=retry-dialog]");
        var groups = provider.FindAll("fieldset.retry-choices");
        Assert.Equal(["Likely to succeed this time", "Would probably fail again as sent"], groups.Select(g => g.QuerySelector("legend")!.TextContent));
        Assert.All(groups[0].QuerySelectorAll("input[type=checkbox]"), box => Assert.True(((AngleSharp.Html.Dom.IHtmlInputElement)box).IsChecked));
        Assert.All(groups[1].QuerySelectorAll("input[type=checkbox]"), box => Assert.False(((AngleSharp.Html.Dom.IHtmlInputElement)box).IsChecked));
        Assert.Equal("300 requests, about $0.60 at this batch's average cost per request (batch price).", provider.Find("[data-testid=retry-sum]").TextContent);

        // Ticking the 400s too: the sum follows, and the answer names the codes chosen.
        await groups[1].QuerySelectorAll("input[type=checkbox]")[0].ChangeAsync(new() { Value = true });
        provider.WaitForAssertion(() => Assert.StartsWith("741 requests", provider.Find("[data-testid=retry-sum]").TextContent, StringComparison.Ordinal));
        await provider.Find("[data-testid=confirm]").ClickAsync(new());

        var choice = await answer;
        Assert.NotNull(choice);
        Assert.Equal(["batch_expired", "invalid_value", "server_error"], choice.ErrorCodes.Order());
        Assert.False(choice.WithoutResult);
    }

    [Fact]
    public async Task RetryDialog_SaysWhetherTheRequestsChosenFitTheirModelsQueue_AsTheChoiceChanges()
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        RetryOption[] options = [new("server_error", "server_error", 300, null, true), new("invalid_value", "invalid_value", 700, null, false)];
        var limit = new Core.Capacity.QueueLimit(5_000, Core.Capacity.LimitSource.Published, "gpt-4o-mini", Tier: 1);
        var asked = new List<int>();
        Task<Core.Capacity.CapacityFit?> FitOf(int requests, CancellationToken _)
        {
            asked.Add(requests);
            var tokens = requests * 10L; // ten prompt tokens a request, 1,000 queued already
            var verdict = tokens + 1_000 <= limit.Tokens ? Core.Capacity.FitVerdict.Fits : tokens > limit.Tokens ? Core.Capacity.FitVerdict.TooLarge : Core.Capacity.FitVerdict.NotNow;
            return Task.FromResult<Core.Capacity.CapacityFit?>(new(verdict, "gpt-4o-mini", tokens, 1_000, limit, null, 0));
        }

        var answer = provider.InvokeAsync(() => RetryDialog.AskAsync(dialogs, "/v1/chat/completions", options, null, FitOf));

        provider.WaitForAssertion(() => Assert.StartsWith("Fits now: 3,000 prompt tokens, with 1,000 of gpt-4o-mini's 5,000 queued (OpenAI's published limit for usage tier 1).",
            provider.Find("[data-testid=retry-fit]").TextContent, StringComparison.Ordinal));
        await provider.FindAll("fieldset.retry-choices")[1].QuerySelectorAll("input[type=checkbox]")[0].ChangeAsync(new() { Value = true });
        provider.WaitForAssertion(() => Assert.StartsWith("On its own, 10,000 prompt tokens are more than gpt-4o-mini's limit of 5,000",
            provider.Find("[data-testid=retry-fit]").TextContent, StringComparison.Ordinal));
        Assert.Equal([300, 1_000], asked);
        await provider.Find("[data-testid=confirm]").ClickAsync(new());
        Assert.NotNull(await answer);
    }
}
