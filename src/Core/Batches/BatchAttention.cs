namespace BatchDashboard.Core.Batches;

/// <summary>
/// Which batches need a person's attention: those that failed, and those with an alarm among their flags (every flag
/// but <see cref="BatchFlags.NotRun"/>, a note). The list's "needs attention" filter and its count mean this; the
/// cache answers them in SQL from three columns (<see cref="Alarm"/>, <see cref="FailedShare"/> and the running
/// batch's phase), and a test holds the two to the same answers.
/// </summary>
public static class BatchAttention
{
    /// <summary>The flags that are alarms.</summary>
    public const BatchFlags Alarms = BatchFlags.LongPhase | BatchFlags.CompletedAllFailed | BatchFlags.CompletedWithoutOutput
        | BatchFlags.CountsDoNotAddUp | BatchFlags.ExpiringSoon | BatchFlags.HighFailureRate;

    /// <summary>The alarms that depend on the batch alone, not on the clock or the settings.</summary>
    private const BatchFlags Fixed = BatchFlags.CompletedAllFailed | BatchFlags.CompletedWithoutOutput | BatchFlags.CountsDoNotAddUp;

    public static bool Needs(Batch batch, BatchInsights insights) =>
        batch.Status.Kind == BatchStatusKind.Failed || (insights.Flags & Alarms) != BatchFlags.None;

    /// <summary>
    /// The batch needs attention whatever the clock and the settings say: it failed, or a fixed alarm is set.
    /// <paramref name="insights"/> may be taken at any moment and with any settings: the fixed alarms depend on neither.
    /// </summary>
    public static bool Alarm(Batch batch, BatchInsights insights) =>
        batch.Status.Kind == BatchStatusKind.Failed || (insights.Flags & Fixed) != BatchFlags.None;

    /// <summary>The failed share of the finished requests, which <see cref="BatchFlags.HighFailureRate"/> tests; null when none failed.</summary>
    public static double? FailedShare(RequestCounts? counts) =>
        counts is { Failed: > 0 and var failed } ? failed / (double)(failed + Math.Max(0, counts.Completed ?? 0)) : null;
}
