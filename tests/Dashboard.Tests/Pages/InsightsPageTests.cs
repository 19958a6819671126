using System.Text.Json.Nodes;
using BatchDashboard.Dashboard.Components.Pages;
using BatchDashboard.Dashboard.Tests.Support;
using BatchDashboard.Tests.Shared;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Dashboard.Tests.Pages;

/// <summary>
/// The insights page in bUnit over the whole dashboard's services, its figures from rollups the real sync kept: three
/// completed batches, one expired with requests never run, one still running, all created on 2025-10-27.
/// </summary>
public sealed class InsightsPageTests() : LivePageContext(
    TestBatches.Json("batch_a", "completed", change: Team("search")),
    TestBatches.Json("batch_b", "completed", TestBatches.Created + 60, change: Team("ads")),
    TestBatches.Json("batch_c", "completed", TestBatches.Created + 120, failed: 4, change: Team("search")),
    TestBatches.Json("batch_d", "expired", TestBatches.Created + 180, change: b =>
    {
        b["request_counts"] = new JsonObject { ["total"] = 10, ["completed"] = 4, ["failed"] = 1 };
        b["expired_at"] = TestBatches.Created + 86_500;
    }),
    TestBatches.Json("batch_e", "in_progress", TestBatches.Created + 240))
{
    private const string Day = "2025-10-27";

    private static Action<JsonObject> Team(string team) => b => b["metadata"] = new JsonObject { ["team"] = team };

    /// <summary>The page at an address, as a link or the back button brings it (its query is the page's state).</summary>
    private IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderAt(string query)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("insights" + query);
        return RenderPage<Insights>();
    }

    private IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderDay(string more = "") => RenderAt($"?from={Day}&to={Day}{more}");

    [Fact]
    public void ThePage_ShowsTheDaysBatches_ItsCharts_AndWhereEachCountLeads()
    {
        var page = RenderDay();

        page.WaitForAssertion(() => Assert.Contains("5", page.Find("[data-testid=totals]").TextContent, StringComparison.Ordinal));
        Assert.NotEmpty(page.FindAll("[data-testid=volume-chart] svg"));
        Assert.NotEmpty(page.FindAll("[data-testid=spend-chart] svg"));
        var links = page.FindAll("[data-testid=volume] a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains($"batches?status=completed&from={Day}&to={Day}", links);
        Assert.Contains($"batches?status=validating%2Cin_progress%2Cfinalizing%2Ccancelling&from={Day}&to={Day}", links);
        Assert.Contains($"api/insights/volume.csv?from={Day}&to={Day}", page.FindAll("a").Select(a => a.GetAttribute("href")));

        var model = page.Find("[data-testid=duration-model]");
        Assert.Contains("gpt-4o-mini-2024-07-18", model.TextContent, StringComparison.Ordinal);
        Assert.Equal(["3", "11 min", "11 min", "11 min"], model.QuerySelectorAll("td").Take(4).Select(c => c.TextContent.Trim()));
        Assert.Equal($"batches?status=completed&model=gpt-4o-mini-2024-07-18&from={Day}&to={Day}&sort=duration",
            model.QuerySelector("a")!.GetAttribute("href"));

        // The same percentiles of one phase: finalizing took 100 s in each.
        page.FindAll("[data-testid=turnaround-measure] button").Single(b => b.TextContent.Trim() == "Finalizing").Click();
        page.WaitForAssertion(() => Assert.Equal(["3", "1 min", "1 min", "1 min"],
            page.Find("[data-testid=duration-model]").QuerySelectorAll("td").Take(4).Select(c => c.TextContent.Trim())));

        var waste = page.Find("[data-testid=waste-row]");
        Assert.Contains("expired", waste.TextContent, StringComparison.Ordinal);
        Assert.Equal("5", waste.QuerySelectorAll("td")[2].TextContent.Trim()); // 10 requests, 4 completed, 1 failed
    }

    [Fact]
    public void GroupingByAMetadataKey_ShowsEachValuesSpend_AndTheBatchesWithoutIt()
    {
        var page = RenderDay("&group=team");

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=group-row]").Count));
        var rows = page.FindAll("[data-testid=group-row]").Select(r => r.QuerySelector("th")!.TextContent.Trim()).ToList();
        Assert.Equal(["search", "ads", "no team"], rows);
        Assert.Equal($"batches?status=completed%2Cfailed%2Cexpired%2Ccancelled&from={Day}&to={Day}&meta=team%3Dsearch",
            page.Find("[data-testid=group-row] a").GetAttribute("href"));
    }

    [Fact]
    public void AnAddressItCannotUse_IsSaid_AndTheRestStillShows()
    {
        var page = RenderDay("&range=week&meta=%3Dx");

        page.WaitForAssertion(() => Assert.Contains("range 'week' is not one of 7d, 30d, 90d", page.Find("[data-testid=query-problems]").TextContent, StringComparison.Ordinal));
        Assert.Contains("meta '=x' has no key", page.Find("[data-testid=query-problems]").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-testid=volume]"));
    }

    [Fact]
    public void DaysWithoutBatches_SayHowToFindSome()
    {
        var page = RenderAt("?from=2025-11-01&to=2025-11-05");

        page.WaitForAssertion(() => Assert.Contains("No batches in these days", page.Markup, StringComparison.Ordinal));
        Assert.Contains("No batch created from 2025-11-01 to 2025-11-05 matches these filters. Choose a longer range, or clear a filter.", page.Markup, StringComparison.Ordinal);
    }
}
