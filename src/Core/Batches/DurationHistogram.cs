using System.Globalization;
using System.Text;

namespace BatchDashboard.Core.Batches;

/// <summary>
/// How many durations fell in each of a fixed set of buckets: exact seconds under a minute, then 32 buckets per
/// doubling, each about 2.2% wide. Histograms of any days and groups add up, so percentiles over a month come from a
/// few hundred rows instead of a scan of every batch; a percentile read from one is within about 1.1% of the exact
/// value (<see cref="Percentile"/>). Counts may go below zero in a delta (what a batch took away), never in a total.
/// </summary>
public sealed class DurationHistogram
{
    /// <summary>Durations under this many seconds have a bucket each.</summary>
    private const int ExactBelow = 64;

    private const int PerDoubling = 32;

    private readonly SortedDictionary<int, long> _counts = [];

    /// <summary>The number of durations counted (the sum of the buckets).</summary>
    public long Count { get; private set; }

    public bool IsEmpty => _counts.Count == 0;

    public void Add(TimeSpan duration, long count = 1) => AddToBucket(BucketOf(duration), count);

    public void Add(DurationHistogram other, long sign = 1)
    {
        foreach (var (bucket, count) in other._counts)
        {
            AddToBucket(bucket, count * sign);
        }
    }

    /// <summary>
    /// The nearest-rank percentile (<paramref name="fraction"/> 0.5 for p50): the smallest duration at or below which
    /// that share of the durations lie, as its bucket's middle. Null when the histogram is empty.
    /// </summary>
    public TimeSpan? Percentile(double fraction)
    {
        if (Count <= 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(Math.Clamp(fraction, 0, 1) * Count));
        long seen = 0;
        foreach (var (bucket, count) in _counts)
        {
            seen += count;
            if (seen >= rank)
            {
                return MiddleOf(bucket);
            }
        }

        return MiddleOf(_counts.Keys.Last());
    }

    /// <summary>The bucket a duration falls in: its whole seconds under a minute, then a step on a log scale.</summary>
    public static int BucketOf(TimeSpan duration)
    {
        var seconds = Math.Max(0, duration.TotalSeconds);
        if (seconds < ExactBelow)
        {
            return (int)seconds;
        }

        return ExactBelow + (int)Math.Floor((Math.Log2(seconds) - Math.Log2(ExactBelow)) * PerDoubling);
    }

    /// <summary>A bucket's representative duration: its seconds, or the geometric middle of its span.</summary>
    public static TimeSpan MiddleOf(int bucket)
    {
        if (bucket < ExactBelow)
        {
            return TimeSpan.FromSeconds(bucket);
        }

        var exponent = Math.Log2(ExactBelow) + ((bucket - ExactBelow + 0.5) / PerDoubling);
        return TimeSpan.FromSeconds(Math.Round(Math.Pow(2, exponent)));
    }

    /// <summary>Compact text for a column: <c>bucket:count</c> pairs, space-separated, in bucket order.</summary>
    public string Encode()
    {
        var text = new StringBuilder(_counts.Count * 8);
        foreach (var (bucket, count) in _counts)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(bucket.ToString(CultureInfo.InvariantCulture)).Append(':').Append(count.ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>Reads <see cref="Encode"/>'s text; a pair it cannot read is skipped (nothing else writes the column).</summary>
    public static DurationHistogram Decode(string? text)
    {
        var histogram = new DurationHistogram();
        histogram.AddEncoded(text);
        return histogram;
    }

    /// <summary>Adds the counts in <see cref="Encode"/>'s text, without building a histogram for them.</summary>
    public void AddEncoded(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        foreach (var range in text.AsSpan().Split(' '))
        {
            var pair = text.AsSpan()[range];
            var colon = pair.IndexOf(':');
            if (colon > 0
                && int.TryParse(pair[..colon], NumberStyles.Integer, CultureInfo.InvariantCulture, out var bucket)
                && long.TryParse(pair[(colon + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
            {
                AddToBucket(bucket, count);
            }
        }
    }

    private void AddToBucket(int bucket, long count)
    {
        if (count == 0)
        {
            return;
        }

        var total = _counts.GetValueOrDefault(bucket) + count;
        if (total == 0)
        {
            _counts.Remove(bucket);
        }
        else
        {
            _counts[bucket] = total;
        }

        Count += count;
    }
}

/// <summary>
/// How long a set of completed batches took, as the rollups keep it: their number, and a histogram each of their
/// turnaround and of each phase (<see cref="BatchDurations"/>). Sets of any days and groups add up.
/// </summary>
public sealed class DurationHistograms
{
    public long Batches { get; set; }
    public DurationHistogram Turnaround { get; } = new();
    public DurationHistogram Validating { get; } = new();
    public DurationHistogram InProgress { get; } = new();
    public DurationHistogram Finalizing { get; } = new();

    public bool IsZero => Batches == 0 && Turnaround.IsEmpty && Validating.IsEmpty && InProgress.IsEmpty && Finalizing.IsEmpty;

    /// <summary>Adds (<paramref name="sign"/> 1) or takes away (-1) one batch's durations; a phase it has no time for is left out.</summary>
    public void Add(BatchDurations durations, int sign)
    {
        Batches += sign;
        static void Count(DurationHistogram histogram, TimeSpan? duration, int sign)
        {
            if (duration is { } value)
            {
                histogram.Add(value, sign);
            }
        }

        Count(Turnaround, durations.Turnaround, sign);
        Count(Validating, durations.Validating, sign);
        Count(InProgress, durations.InProgress, sign);
        Count(Finalizing, durations.Finalizing, sign);
    }

    public void Add(DurationHistograms other)
    {
        Batches += other.Batches;
        Turnaround.Add(other.Turnaround);
        Validating.Add(other.Validating);
        InProgress.Add(other.InProgress);
        Finalizing.Add(other.Finalizing);
    }

    /// <summary>Adds a stored row: its batches and its four histograms' text (<see cref="DurationHistogram.Encode"/>).</summary>
    public void Add(long batches, string? turnaround, string? validating, string? inProgress, string? finalizing)
    {
        Batches += batches;
        Turnaround.AddEncoded(turnaround);
        Validating.AddEncoded(validating);
        InProgress.AddEncoded(inProgress);
        Finalizing.AddEncoded(finalizing);
    }
}
