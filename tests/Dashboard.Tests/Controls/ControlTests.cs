using BatchDashboard.Core.Batches;
using BatchDashboard.Dashboard.Components.Controls;
using BatchDashboard.Dashboard.Model;
using BatchDashboard.Dashboard.Tests.Support;
using BatchDashboard.Tests.Shared;
using Bunit;

namespace BatchDashboard.Dashboard.Tests.Controls;

/// <summary>The small controls on MudBlazor, rendered by bUnit: what each shows for given data, and how it is named.</summary>
public sealed class ControlTests : MudTestContext
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(TestBatches.Created);

    [Theory]
    [InlineData("in_progress", "status-in-progress", "in progress")]
    [InlineData("CANCELLED", "status-cancelled", "cancelled")]
    [InlineData("canceling", "status-cancelling", "cancelling")]
    [InlineData("paused", "status-unknown", "paused")]
    public void StatusChip_TakesTheColourOfItsStatus(string raw, string css, string text)
    {
        var chip = Render<StatusChip>(p => p.Add(c => c.Status, BatchStatus.Parse(raw)));

        Assert.Contains(css, chip.Find(".status").ClassList);
        var mud = chip.Find(".mud-chip.status-chip");
        Assert.Equal(text, mud.TextContent);
        Assert.Equal(css == "status-unknown", mud.GetAttribute("title")?.StartsWith("A status this version does not know", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Timestamp_CarriesTheMachineTime_AndTheExactUtcTime_ForTheBrowserToLocalize()
    {
        // Static HTML (a prerendered page, the list's shared rows): the title, which js/time.js localizes.
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Static", isInteractive: false));
        var time = Render<Timestamp>(p => p.Add(c => c.At, Created).Add(c => c.Now, Created.AddHours(3)));
        var missing = Render<Timestamp>(p => p.Add(c => c.At, null).Add(c => c.Missing, "never"));

        time.MarkupMatches("<time datetime=\"2025-10-27T19:16:48Z\" title=\"2025-10-27 19:16:48 UTC\">3 h ago</time>");
        missing.MarkupMatches("<span class=\"muted\">never</span>");
    }

    [Fact]
    public void Timestamp_OnAnInteractivePage_ShowsTheExactTimeInATooltip_InTheReadersZoneAndUtc()
    {
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        var popovers = Render<MudBlazor.MudPopoverProvider>();
        var berlin = ReaderTime.From("Europe/Berlin")!;

        var time = Render<Timestamp>(p => p.AddCascadingValue(berlin).Add(c => c.At, Created).Add(c => c.Now, Created.AddHours(3)));
        time.Find(".mud-tooltip-root").PointerEnter();

        Assert.Equal("3 h ago", time.Find("time").TextContent);
        Assert.Null(time.Find("time").GetAttribute("title"));
        popovers.WaitForAssertion(() => Assert.Contains(
            "2025-10-27 20:16:48 Europe/Berlin (UTC+01:00), 19:16:48 UTC", popovers.Markup, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, "2025-10-27 19:16:48 UTC")]
    [InlineData("Etc/UTC", "2025-10-27 19:16:48 UTC")]
    [InlineData("Not/AZone", "2025-10-27 19:16:48 UTC")]
    [InlineData("America/New_York", "2025-10-27 15:16:48 America/New_York (UTC-04:00), 19:16:48 UTC")]
    public void ReaderTime_DescribesAMoment_InTheReadersZone_OrUtcAlone(string? zone, string expected) =>
        Assert.Equal(expected, ReaderTime.Describe(Created, ReaderTime.From(zone)));

    [Fact]
    public void FlagList_ShowsEachFlag_DescribedByItsExplanation_AndFocusable()
    {
        var flags = Render<FlagList>(p => p.Add(c => c.Flags, [new FlagView("stuck", "In a phase for hours."), new FlagView("expiring", "Expires within the hour.")]));

        var chips = flags.FindAll(".mud-chip.flag");
        Assert.Equal(["stuck", "expiring"], chips.Select(c => c.TextContent));
        Assert.Equal(["In a phase for hours.", "Expires within the hour."], chips.Select(c => c.GetAttribute("aria-description")));
        Assert.All(chips, c => Assert.Equal("0", c.GetAttribute("tabindex")));
    }

    [Theory]
    [InlineData(300, 200, 0, "mud-progress-linear-color-success")]
    [InlineData(300, 200, 1, "mud-progress-linear-color-warning")]
    [InlineData(300, 100, 50, "mud-progress-linear-color-error")]
    public void ProgressBar_ShowsTheFinishedShare_ColouredByItsFailures_AndSaysTheNumbers(int total, int completed, int failed, string tone)
    {
        var bar = Render<ProgressBar>(p => p.Add(c => c.Total, total).Add(c => c.Completed, completed).Add(c => c.Failed, failed));

        var progress = bar.Find("[role=progressbar]");
        Assert.Contains(tone, progress.ClassList);
        Assert.Equal((completed + failed).ToString(System.Globalization.CultureInfo.InvariantCulture), progress.GetAttribute("aria-valuenow"));
        Assert.Equal($"{completed} completed, {failed} failed, {total - completed - failed} pending of {total}", progress.GetAttribute("aria-label"));
        Assert.Equal("off", progress.GetAttribute("aria-live"));
    }

    [Fact]
    public void CopyButton_OutOfARowLink_IsForTheMouseOnly()
    {
        var focusable = Render<CopyButton>(p => p.Add(c => c.Text, "batch_1").Add(c => c.What, "batch id"));
        var inRow = Render<CopyButton>(p => p.Add(c => c.Text, "batch_1").Add(c => c.Focusable, false));

        var button = focusable.Find("button");
        Assert.Equal("batch_1", button.GetAttribute("data-copy"));
        Assert.Equal("Copy batch id", button.GetAttribute("aria-label"));
        Assert.Null(button.GetAttribute("tabindex"));
        Assert.Equal("-1", inRow.Find("button").GetAttribute("tabindex"));
        Assert.Equal("true", inRow.Find("button").GetAttribute("aria-hidden"));
    }
}
