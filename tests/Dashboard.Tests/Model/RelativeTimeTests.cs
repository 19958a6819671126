using BatchDashboard.Dashboard.Model;

namespace BatchDashboard.Dashboard.Tests.Model;

public sealed class RelativeTimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0.4, "now")]
    [InlineData(45, "45 s")]
    [InlineData(12 * 60 + 59, "12 min")]
    [InlineData(3 * 3600, "3 h")]
    [InlineData(3 * 3600 + 5 * 60, "3 h 5 min")]
    [InlineData(2 * 86400, "2 d")]
    [InlineData(2 * 86400 + 4 * 3600 + 59, "2 d 4 h")]
    [InlineData(400 * 86400, "400 d")]
    public void Duration_IsCompact(double seconds, string expected) =>
        Assert.Equal(expected, RelativeTime.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Format_SaysAgoForThePast_InForTheFuture_AndJustNow()
    {
        Assert.Equal("5 min ago", RelativeTime.Format(Now.AddMinutes(-5), Now));
        Assert.Equal("in 2 h", RelativeTime.Format(Now.AddHours(2), Now));
        Assert.Equal("just now", RelativeTime.Format(Now, Now));
        Assert.Equal("—", RelativeTime.Format(null, Now));
    }

    [Fact]
    public void Exact_IsUtc_WhateverTheOffsetOfTheValue()
    {
        Assert.Equal("2026-11-02 09:30:00 UTC", RelativeTime.Exact(new DateTimeOffset(2026, 11, 2, 11, 30, 0, TimeSpan.FromHours(2))));
        Assert.Equal("unknown", RelativeTime.Exact(null));
    }
}
