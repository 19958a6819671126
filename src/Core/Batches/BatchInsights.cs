namespace BatchDashboard.Core.Batches;

/// <summary>A stretch of a batch's life in one status. <see cref="End"/> is null while it lasts or when unknown.</summary>
public sealed record BatchPhase(BatchStatusKind Kind, DateTimeOffset Start, DateTimeOffset? End, TimeSpan? Duration, bool IsCurrent);

/// <summary>Conditions a person watching batches needs to notice.</summary>
[Flags]
public enum BatchFlags
{
    None = 0,

    /// <summary>The current phase has lasted longer than usual for it (see <see cref="BatchInsightOptions"/>).</summary>
    LongPhase = 1,

    /// <summary>Completed, yet every request failed.</summary>
    CompletedAllFailed = 2,

    /// <summary>Completed without an output file.</summary>
    CompletedWithoutOutput = 4,

    /// <summary>
    /// A finished batch whose completed and failed counts do not add up to the total, with nothing to explain it (an
    /// expired, cancelled or failed batch's unrun requests are <see cref="NotRun"/> instead).
    /// </summary>
    CountsDoNotAddUp = 8,

    /// <summary>Still running, and the completion window ends soon.</summary>
    ExpiringSoon = 16,

    /// <summary>
    /// Expired, cancelled or failed with requests never run (neither completed nor failed): not a fault, and they can
    /// be retried. A note, not an alarm.
    /// </summary>
    NotRun = 32,

    /// <summary>
    /// Running or ended, with a failed share of its finished requests above <see cref="BatchInsightOptions.FailureRate"/>
    /// (set with <see cref="CompletedAllFailed"/> too, which pages show instead).
    /// </summary>
    HighFailureRate = 64,
}

/// <summary>Progress through a batch's requests. <see cref="Fraction"/> is null when the total is unknown or zero.</summary>
public sealed record RequestProgress(int Total, int Completed, int Failed, int Pending, double? Fraction);

/// <summary>
/// Thresholds behind the flags; the defaults follow what the API documents and what real batches show. Set in
/// configuration under <see cref="SectionName"/>.
/// </summary>
public sealed record BatchInsightOptions
{
    public const string SectionName = "BatchDashboard:Flags";

    public static BatchInsightOptions Default { get; } = new();

    /// <summary>The failed share of a batch's finished requests above which it is flagged (0.1: more than one in ten).</summary>
    public double FailureRate { get; init; } = 0.10;

    public TimeSpan LongValidating { get; init; } = TimeSpan.FromHours(1);
    public TimeSpan LongInProgress { get; init; } = TimeSpan.FromHours(24);
    public TimeSpan LongFinalizing { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The API says "up to 10 minutes"; real cancels have taken 47.</summary>
    public TimeSpan LongCancelling { get; init; } = TimeSpan.FromMinutes(15);

    public TimeSpan ExpiringSoon { get; init; } = TimeSpan.FromHours(2);

    /// <summary>How long a phase of this kind may last before it is flagged; null for the ends, which do not last.</summary>
    public TimeSpan? LongFor(BatchStatusKind kind) => kind switch
    {
        BatchStatusKind.Validating => LongValidating,
        BatchStatusKind.InProgress => LongInProgress,
        BatchStatusKind.Finalizing => LongFinalizing,
        BatchStatusKind.Cancelling => LongCancelling,
        _ => null,
    };
}

/// <summary>Everything derived from one batch at one moment, in one place for every page and API to use.</summary>
public sealed record BatchInsights(
    IReadOnlyList<BatchPhase> Phases,
    BatchPhase? CurrentPhase,
    TimeSpan? TimeToExpiry,
    RequestProgress Progress,
    BatchFlags Flags)
{
    public static BatchInsights Of(Batch batch, DateTimeOffset now, BatchInsightOptions? options = null)
    {
        options ??= BatchInsightOptions.Default;
        var phases = PhasesOf(batch, now);
        var current = phases.Count > 0 && phases[^1].IsCurrent ? phases[^1] : null;
        TimeSpan? timeToExpiry = !batch.Status.IsTerminal && batch.ExpiresAt is { } expires ? expires - now : null;
        var progress = ProgressOf(batch.RequestCounts);
        return new BatchInsights(phases, current, timeToExpiry, progress, FlagsOf(batch, current, timeToExpiry, options));
    }

    /// <summary>
    /// The phases, from whichever timestamps are set, in time order: each lasts until the next begins. Terminal
    /// timestamps end the last phase. The status decides which phase is current, never the timestamps alone.
    /// </summary>
    private static List<BatchPhase> PhasesOf(Batch batch, DateTimeOffset now)
    {
        // (kind, when); terminal kinds mark an end, not a phase of their own.
        var marks = new List<(BatchStatusKind Kind, DateTimeOffset At, int Order)>(8);
        void Add(BatchStatusKind kind, DateTimeOffset? at, int order)
        {
            if (at is { } value)
            {
                marks.Add((kind, value, order));
            }
        }

        Add(BatchStatusKind.Validating, batch.CreatedAt, 0);
        Add(BatchStatusKind.InProgress, batch.InProgressAt, 1);
        Add(BatchStatusKind.Finalizing, batch.FinalizingAt, 2);
        Add(BatchStatusKind.Cancelling, batch.CancellingAt, 3);
        Add(BatchStatusKind.Failed, batch.FailedAt, 4);
        Add(BatchStatusKind.Completed, batch.CompletedAt, 4);
        Add(BatchStatusKind.Expired, batch.ExpiredAt, 4);
        Add(BatchStatusKind.Cancelled, batch.CancelledAt, 4);
        marks.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Order.CompareTo(b.Order));

        var phases = new List<BatchPhase>(marks.Count);
        for (var i = 0; i < marks.Count; i++)
        {
            var (kind, start, _) = marks[i];
            if (BatchStatus.IsTerminalKind(kind))
            {
                // A terminal event ends everything before it; later stray timestamps (seen from Azure) are ignored.
                break;
            }

            DateTimeOffset? end = i + 1 < marks.Count ? marks[i + 1].At : null;
            var isLast = end is null;
            var isCurrent = isLast && !batch.Status.IsTerminal;
            TimeSpan? duration = end is { } finished ? finished - start : isCurrent ? Max(TimeSpan.Zero, now - start) : null;
            phases.Add(new BatchPhase(kind, start, end, duration, isCurrent));
        }

        return phases;
    }

    private static RequestProgress ProgressOf(RequestCounts? counts)
    {
        var total = Math.Max(0, counts?.Total ?? 0);
        var completed = Math.Max(0, counts?.Completed ?? 0);
        var failed = Math.Max(0, counts?.Failed ?? 0);
        var pending = counts?.Pending ?? 0;
        double? fraction = total > 0 ? Math.Clamp((completed + failed) / (double)total, 0, 1) : null;
        return new RequestProgress(total, completed, failed, pending, fraction);
    }

    private static BatchFlags FlagsOf(Batch batch, BatchPhase? current, TimeSpan? timeToExpiry, BatchInsightOptions options)
    {
        var flags = BatchFlags.None;
        if (current is { Duration: { } lasted } && options.LongFor(current.Kind) is { } usual && lasted > usual)
        {
            flags |= BatchFlags.LongPhase;
        }

        if (batch.Status.Kind == BatchStatusKind.Completed)
        {
            if (batch.RequestCounts is { Failed: > 0 } counts && (counts.Completed ?? 0) == 0)
            {
                flags |= BatchFlags.CompletedAllFailed;
            }

            if (string.IsNullOrEmpty(batch.OutputFileId))
            {
                flags |= BatchFlags.CompletedWithoutOutput;
            }
        }

        if (batch.Status.IsTerminal && batch.RequestCounts is { } finished && !finished.AddsUp)
        {
            // Fewer finished than the total is what an expired, cancelled or failed batch leaves: its unrun requests.
            var unrunExplained = batch.Status.Kind is BatchStatusKind.Expired or BatchStatusKind.Cancelled or BatchStatusKind.Failed
                && finished.Pending > 0;
            flags |= unrunExplained ? BatchFlags.NotRun : BatchFlags.CountsDoNotAddUp;
        }

        if (BatchAttention.FailedShare(batch.RequestCounts) is { } share && share > options.FailureRate)
        {
            flags |= BatchFlags.HighFailureRate;
        }

        if (timeToExpiry is { } left && left > TimeSpan.Zero && left <= options.ExpiringSoon)
        {
            flags |= BatchFlags.ExpiringSoon;
        }

        return flags;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
