namespace BatchDashboard.Core.Batches;

/// <summary>
/// Which batches need a person's attention: those that failed, and those with an alarm among their flags (every flag
/// but <see cref="BatchFlags.NotRun"/>, a note). The list's "needs attention" filter and its count mean this; the
/// cache answers them in SQL (<c>Queries.AttentionSql</c>), and a test holds the two to the same answers.
/// </summary>
public static class BatchAttention
{
    /// <summary>The flags that are alarms.</summary>
    public const BatchFlags Alarms = BatchFlags.LongPhase | BatchFlags.CompletedAllFailed | BatchFlags.CompletedWithoutOutput
        | BatchFlags.CountsDoNotAddUp | BatchFlags.ExpiringSoon | BatchFlags.HighFailureRate;

    public static bool Needs(Batch batch, BatchInsights insights) =>
        batch.Status.Kind == BatchStatusKind.Failed || (insights.Flags & Alarms) != BatchFlags.None;

    /// <summary>
    /// True when the batch could need attention at some moment under some thresholds: still running, failed, with a
    /// failed request, completed without output, or with counts that do not add up. It depends on the batch alone,
    /// so the cache keeps it as a column (<c>watch</c>) with an index, and reads only these batches to count.
    /// </summary>
    public static bool MayNeed(Batch batch) =>
        !batch.Status.IsTerminal
        || batch.Status.Kind == BatchStatusKind.Failed
        || (batch.Status.Kind == BatchStatusKind.Completed && string.IsNullOrEmpty(batch.OutputFileId))
        || (batch.RequestCounts is { } counts && ((counts.Failed ?? 0) > 0 || !counts.AddsUp));
}
