using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Insights;
using BatchDashboard.Core.Queries;
using BatchDashboard.Dashboard.Api;
using BatchDashboard.Dashboard.Model;

namespace BatchDashboard.Dashboard.Tests.Model;

public sealed class InsightQueryTests
{
    private static readonly DateOnly Today = new(2026, 12, 5);

    private static InsightQuery Parse(string query, out List<string> problems)
    {
        var values = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => (string?)Uri.UnescapeDataString(p[1]));
        return InsightQuery.Parse(name => values.GetValueOrDefault(name), out problems);
    }

    [Fact]
    public void APreset_EndsToday_AndIsLeftOutOfTheAddressWhenItIsTheDefault()
    {
        var query = Parse("", out var problems);

        Assert.Empty(problems);
        Assert.Equal((new DateOnly(2026, 11, 6), Today), query.DaysAt(Today));
        Assert.Equal("insights", DashboardUrls.Insights(query));
        Assert.Equal("insights?range=7d&model=gpt-4o&meta=team%3Dsearch&group=owner",
            DashboardUrls.Insights(query with { Range = "7d", Model = "gpt-4o", Meta = "team=search", Group = "owner" }));
    }

    [Fact]
    public void ACustomRange_RoundTrips_AndNarrowsAsTheListDoes()
    {
        var query = Parse("?from=2026-11-01&to=2026-11-30&connection=azure&meta=team%3Dsearch", out var problems);

        Assert.Empty(problems);
        Assert.True(query.IsCustom);
        Assert.Equal("?from=2026-11-01&to=2026-11-30&connection=azure&meta=team%3Dsearch", query.ToQueryString());
        var filter = query.ToFilter(Today);
        Assert.Equal((new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30), "azure", "team", "search"),
            (filter.From, filter.To, filter.ConnectionId, filter.MetadataKey, filter.MetadataValue));
        Assert.Equal("batches?status=expired&model=o3&connection=azure&from=2026-11-04&to=2026-11-04&meta=team%3Dsearch",
            DashboardUrls.Batches(query.ListOf(Today, new DateOnly(2026, 11, 4), "expired", model: "o3")));
    }

    [Theory]
    [InlineData("?range=week", "range 'week' is not one of 7d, 30d, 90d")]
    [InlineData("?from=2026-11-30&to=2026-11-01", "to 2026-11-01 is before from 2026-11-30")]
    [InlineData("?from=2026-11-01", "a custom range needs both from and to (yyyy-mm-dd)")]
    [InlineData("?from=2020-01-01&to=2026-01-01", "from 2020-01-01 to 2026-01-01 is more than 400 days")]
    [InlineData("?from=2026-02-30&to=2026-03-01", "from '2026-02-30' is not a date (yyyy-mm-dd)")]
    [InlineData("?meta=%3Dx", "meta '=x' has no key (key=value)")]
    public void WhatCannotBeUsed_IsSaid_AndTheLast30DaysShown(string address, string problem)
    {
        var query = Parse(address, out var problems);

        Assert.Contains(problem, problems);
        Assert.Equal((new DateOnly(2026, 11, 6), Today), query.DaysAt(Today));
    }

    [Fact]
    public void AnErrorCode_LeadsToTheListOfItsBatches_WhichReadsItBack()
    {
        var link = DashboardUrls.Batches(Parse("?range=7d", out _).ListOf(Today, errorCode: "rate_limit_exceeded", sort: BatchSortField.Failures));

        Assert.Equal("batches?from=2026-11-29&to=2026-12-05&code=rate_limit_exceeded&sort=failures", link);
        var values = link[(link.IndexOf('?') + 1)..].Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => (string?)p[1]);
        var list = BatchListQuery.Parse(name => values.GetValueOrDefault(name), out var problems);
        Assert.Empty(problems);
        Assert.Equal("rate_limit_exceeded", list.ToFilter(DateTimeOffset.UnixEpoch).ErrorCode);
        Assert.Contains("failing with rate_limit_exceeded", list.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Running_ListsEveryStatusBeforeAnEnd() =>
        Assert.Equal([BatchStatusKind.Validating, BatchStatusKind.InProgress, BatchStatusKind.Finalizing, BatchStatusKind.Cancelling],
            InsightQuery.StatusesOf(BatchOutcome.Running));

    [Fact]
    public void TheCsv_HasAHeaderAndARowPerTableRow_InSecondsAndDollars()
    {
        var day = new DateOnly(2026, 11, 3);
        var stats = new DurationStats(2, TimeSpan.FromMinutes(90), TimeSpan.FromHours(2), null);
        var report = new InsightReport(new InsightFilter(day, day) { GroupBy = "team" },
            [new VolumeRow(day, "completed", 2, 200, 190, 10, 0)],
            [new DurationRow("model", "gpt-4o", "gpt-4o", stats, DurationStats.Empty, DurationStats.Empty, DurationStats.Empty)],
            [], [new FailureRow(day, 190, 10)], [new ErrorRow(day, "=cmd", 3)], 3, 10,
            [new SpendRow(day, "gpt-4o", 2, 1_000, 0, 500, 0.0375m)],
            [new GroupSpendRow(null, 2, 200, 1_000, 0, 500, 0.0375m, 0)], null, [], []);

        Assert.Equal("day,status,batches,requests,completed,failed,unrun\n2026-11-03,completed,2,200,190,10,0\n", InsightCsv.Of("volume", report).ReplaceLineEndings("\n"));
        Assert.EndsWith("model,gpt-4o,2,5400,7200,,,,,,,,,,\n", InsightCsv.Of("turnaround", report).ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.EndsWith("2026-11-03,190,10,0.05\n", InsightCsv.Of("failures", report).ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.EndsWith("2026-11-03,'=cmd,3\n", InsightCsv.Of("errors", report).ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.EndsWith("2026-11-03,gpt-4o,2,1000,0,500,0.0375\n", InsightCsv.Of("spend", report).ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal("team,batches,requests,input_tokens,cached_tokens,output_tokens,cost_usd,unpriced_batches\n(not set),2,200,1000,0,500,0.0375,0\n",
            InsightCsv.Of("groups", report).ReplaceLineEndings("\n"));
    }
}
