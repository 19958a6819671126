using BatchDashboard.Core.Results;
using BatchDashboard.Dashboard.Model;

namespace BatchDashboard.Dashboard.Tests.Model;

public sealed class ResultListQueryTests
{
    private static ResultListQuery Parse(Dictionary<string, string?> values, out List<string> problems) =>
        ResultListQuery.Parse(name => values.GetValueOrDefault(name), out problems);

    [Fact]
    public void TheAddress_RoundTrips()
    {
        var query = Parse(new() { ["outcome"] = "http_error, expired", ["code"] = "invalid_value", ["q"] = " doc-1 ", ["after"] = "40", ["request"] = "doc-7", ["connection"] = "demo" }, out var problems);

        Assert.Empty(problems);
        Assert.Equal([RequestOutcome.HttpError, RequestOutcome.Expired], query.Outcomes);
        Assert.Equal(("invalid_value", "doc-1", 40L, "doc-7"), (query.Code, query.Text, query.After!.Value, query.Request));
        Assert.Equal("?connection=demo&outcome=http_error%2Cexpired&code=invalid_value&q=doc-1&after=40&request=doc-7", query.ToQueryString());
        var filter = query.ToFilter();
        Assert.Equal([RequestOutcome.HttpError, RequestOutcome.Expired], filter.Outcomes);
        Assert.Equal(("invalid_value", "doc-1"), (filter.ErrorCode, filter.CustomId));
    }

    [Fact]
    public void WhatCannotBeUsed_IsNamed_AndLeftOut()
    {
        var query = Parse(new() { ["outcome"] = "succeeded,bogus", ["after"] = "x" }, out var problems);

        Assert.Equal([RequestOutcome.Succeeded], query.Outcomes);
        Assert.Null(query.After);
        Assert.Equal(2, problems.Count);
        Assert.StartsWith("outcome 'bogus' is not one of succeeded, http_error", problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public void TogglingAnOutcome_GoesBackToTheFirstPage_AndClosesTheRequest()
    {
        var query = new ResultListQuery { Outcomes = [RequestOutcome.Expired], After = 100, Request = "a" };

        Assert.Equal(new[] { RequestOutcome.Expired, RequestOutcome.Cancelled }, query.ToggleOutcome(RequestOutcome.Cancelled).Outcomes);
        Assert.Empty(query.ToggleOutcome(RequestOutcome.Expired).Outcomes);
        Assert.Null(query.ToggleOutcome(RequestOutcome.Expired).After);
        Assert.Null(query.ToggleOutcome(RequestOutcome.Expired).Request);
    }

    [Fact]
    public void EveryOutcome_HasANameThatParsesBack()
    {
        Assert.All(OutcomeDisplay.All, outcome => Assert.Equal(outcome, OutcomeDisplay.Parse(OutcomeDisplay.Name(outcome))));
        Assert.Equal(6, OutcomeDisplay.All.Select(OutcomeDisplay.Text).Distinct().Count());
    }
}
