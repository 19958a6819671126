using System.Net;
using BatchDashboard.Core.Api;

namespace BatchDashboard.Core.Tests.Api;

public sealed class RetryRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(60);

    private static HttpResponseMessage Response(HttpStatusCode status, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status);
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    [Theory]
    [InlineData(408, true)]
    [InlineData(409, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    public void ShouldRetry_FollowsTheSdksStatusRules(int status, bool expected)
    {
        using var response = Response((HttpStatusCode)status);

        Assert.Equal(expected, RetryRules.ShouldRetry(response));
    }

    [Fact]
    public void ShouldRetry_ObeysXShouldRetry_ButNeverForARejectedKey()
    {
        using var yes = Response(HttpStatusCode.BadRequest, ("x-should-retry", "true"));
        using var no = Response(HttpStatusCode.TooManyRequests, ("x-should-retry", "false"));
        using var key = Response(HttpStatusCode.Unauthorized, ("x-should-retry", "true"));

        Assert.True(RetryRules.ShouldRetry(yes));
        Assert.False(RetryRules.ShouldRetry(no));
        Assert.False(RetryRules.ShouldRetry(key));
    }

    [Fact]
    public void RequestedDelay_PrefersRetryAfterMs()
    {
        using var response = Response(HttpStatusCode.TooManyRequests, ("retry-after-ms", "1500"), ("retry-after", "9"));

        Assert.Equal(TimeSpan.FromMilliseconds(1500), RetryRules.RequestedDelay(response, Now, Max));
    }

    [Fact]
    public void RequestedDelay_ReadsRetryAfterSeconds_AndHttpDates()
    {
        using var seconds = Response(HttpStatusCode.TooManyRequests, ("retry-after", "7"));
        using var date = Response(HttpStatusCode.TooManyRequests, ("retry-after", Now.AddSeconds(20).ToString("r")));

        Assert.Equal(TimeSpan.FromSeconds(7), RetryRules.RequestedDelay(seconds, Now, Max));
        Assert.Equal(TimeSpan.FromSeconds(20), RetryRules.RequestedDelay(date, Now, Max));
    }

    [Fact]
    public void RequestedDelay_IsCapped_AndAbsentWhenThereIsNothingToHonour()
    {
        using var huge = Response(HttpStatusCode.TooManyRequests, ("retry-after", "3600"));
        using var past = Response(HttpStatusCode.TooManyRequests, ("retry-after", Now.AddSeconds(-5).ToString("r")));
        using var junk = Response(HttpStatusCode.TooManyRequests, ("retry-after", "soon"));
        using var none = Response(HttpStatusCode.TooManyRequests);

        Assert.Equal(Max, RetryRules.RequestedDelay(huge, Now, Max));
        Assert.Null(RetryRules.RequestedDelay(past, Now, Max));
        Assert.Null(RetryRules.RequestedDelay(junk, Now, Max));
        Assert.Null(RetryRules.RequestedDelay(none, Now, Max));
    }
}
