using BatchDashboard.Core.Batches;

namespace BatchDashboard.Core.Tests.Insights;

public sealed class DurationHistogramTests
{
    /// <summary>The nearest-rank percentile of the durations themselves: the one the histogram approximates.</summary>
    private static TimeSpan Exact(List<long> seconds, double fraction)
    {
        var sorted = seconds.Order().ToList();
        var rank = Math.Max(1, (int)Math.Ceiling(fraction * sorted.Count));
        return TimeSpan.FromSeconds(sorted[rank - 1]);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 7)]
    [InlineData(3, 100)]
    [InlineData(4, 5_000)]
    [InlineData(5, 40_000)]
    public void Percentiles_AreWithinOnePercentOfTheDirectComputation(int seed, int count)
    {
        var random = new Random(seed);
        // Seconds to two days, spread over every scale (a log-uniform draw), with repeats.
        var seconds = Enumerable.Range(0, count).Select(_ => (long)Math.Exp(random.NextDouble() * Math.Log(172_800))).ToList();
        var histogram = new DurationHistogram();
        foreach (var value in seconds)
        {
            histogram.Add(TimeSpan.FromSeconds(value));
        }

        foreach (var fraction in new[] { 0.01, 0.1, 0.5, 0.9, 0.99, 1.0 })
        {
            var exact = Exact(seconds, fraction);
            var approximate = histogram.Percentile(fraction)!.Value;
            // Half a bucket (2^(1/64), 1.09%) and the second it is rounded to.
            Assert.InRange(approximate.TotalSeconds, (exact.TotalSeconds / 1.011) - 1, (exact.TotalSeconds * 1.011) + 1);
        }
    }

    [Fact]
    public void Percentiles_AreExact_UnderAMinute()
    {
        var histogram = new DurationHistogram();
        foreach (var value in new[] { 3, 9, 9, 12, 40, 41, 59 })
        {
            histogram.Add(TimeSpan.FromSeconds(value));
        }

        Assert.Equal(TimeSpan.FromSeconds(12), histogram.Percentile(0.5));
        Assert.Equal(TimeSpan.FromSeconds(59), histogram.Percentile(0.99));
        Assert.Equal(TimeSpan.FromSeconds(3), histogram.Percentile(0.1));
    }

    [Fact]
    public void Histograms_AddAndTakeAway_AndSurviveTheirText()
    {
        var a = new DurationHistogram();
        var b = new DurationHistogram();
        a.Add(TimeSpan.FromMinutes(5));
        a.Add(TimeSpan.FromHours(3), 4);
        b.Add(TimeSpan.FromHours(3));

        var total = DurationHistogram.Decode(a.Encode());
        total.Add(b);
        Assert.Equal(6, total.Count);
        total.Add(b, -1);
        total.Add(a, -1);

        Assert.True(total.IsEmpty);
        Assert.Equal(0, total.Count);
        Assert.Null(total.Percentile(0.5));
        Assert.Equal(a.Encode(), DurationHistogram.Decode(a.Encode()).Encode());
    }

    [Fact]
    public void Percentile_OfAnEmptyHistogram_IsNull() => Assert.Null(new DurationHistogram().Percentile(0.9));
}
