using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Results;
using System.Text.RegularExpressions;
using BatchDashboard.Dashboard.Model;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Dashboard.Tests.Model;

public sealed partial class DashboardUrlsTests
{
    [Fact]
    public void Batches_WithoutAQuery_IsTheList() => Assert.Equal("batches", DashboardUrls.Batches());

    [Fact]
    public void Batches_CarryTheListsStateInTheQuery()
    {
        var url = DashboardUrls.Batches(new BatchListQuery { Statuses = [BatchStatusKind.Failed], Meta = "team=search & rescue", After = "c1" });

        Assert.Equal("batches?status=failed&meta=team%3Dsearch%20%26%20rescue&after=c1", url);
    }

    [Theory]
    [InlineData("batch_abc", "openai", "batches/batch_abc?connection=openai")]
    [InlineData("batch/../../audit", "azure eu", "batches/batch%2F..%2F..%2Faudit?connection=azure%20eu")]
    [InlineData("batch_abc", null, "batches/batch_abc")]
    [InlineData("batch_abc", "", "batches/batch_abc")]
    public void Batch_EscapesItsIdAndConnection(string id, string? connection, string expected) =>
        Assert.Equal(expected, DashboardUrls.Batch(id, connection));

    [Fact]
    public void BatchResults_KeepTheConnectionAndFilters()
    {
        var url = DashboardUrls.BatchResults("batch 1", new ResultListQuery { Connection = "openai", Outcomes = [RequestOutcome.Expired], Request = "req/7" });

        Assert.Equal("batches/batch%201/results?connection=openai&outcome=expired&request=req%2F7", url);
    }

    [Fact]
    public void Exports_LeaveOutThePageButKeepTheFilters()
    {
        Assert.Equal("api/batches/export.csv?model=gpt-4o", DashboardUrls.BatchesExport("csv", new BatchListQuery { Model = "gpt-4o", After = "c9" }));
        Assert.Equal("api/batches/b1/results/export.jsonl?connection=openai&code=rate_limit_exceeded",
            DashboardUrls.ResultsApi("b1", "results/export.jsonl", new ResultListQuery { Connection = "openai", Code = "rate_limit_exceeded", After = 50, Request = "r1" }));
    }

    [Fact]
    public void ResultFile_NamesTheKindAndConnection() =>
        Assert.Equal("api/batches/b%2F1/files/error?connection=openai", DashboardUrls.ResultFile("b/1", ResultFileKind.Error, "openai"));

    [Fact]
    public void Audit_PagesByTheLastEntrysId()
    {
        Assert.Equal("audit", DashboardUrls.Audit());
        Assert.Equal("audit?before=1234", DashboardUrls.Audit(1234));
    }

    [Fact]
    public void EveryAddress_IsRelative_SoItWorksUnderAnyBase()
    {
        string[] urls = [DashboardUrls.Home, DashboardUrls.NewBatch, DashboardUrls.Settings, DashboardUrls.SignIn, DashboardUrls.SignOut,
            DashboardUrls.Batches(), DashboardUrls.Batch("b"), DashboardUrls.BatchResults("b"), DashboardUrls.Audit()];

        Assert.All(urls, url => Assert.False(url.StartsWith('/'), url));
    }

    [Fact]
    public void NoComponent_WritesADashboardAddressByHand()
    {
        var components = Path.Combine(RepoPaths.Root, "src", "Dashboard", "Components");
        var handMade = Directory.EnumerateFiles(components, "*.razor*", SearchOption.AllDirectories)
            .SelectMany(file => HandMadeLink().Matches(File.ReadAllText(file)).Select(m => $"{Path.GetFileName(file)}: {m.Value}"))
            .ToList();

        Assert.True(handMade.Count == 0, "Build these with DashboardUrls:\n" + string.Join("\n", handMade));
    }

    /// <summary>A literal relative address in markup (href="batches…", action="signin") or a string handed to NavigateTo.</summary>
    [GeneratedRegex("""(?:href|action)="[a-z][^"]*"|NavigateTo\("[^"]*"|"(?:api/)?batches[/?"]""")]
    private static partial Regex HandMadeLink();
}
