using BatchDashboard.Core.Batches;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// One line of a batch's status timeline: a phase it went through (start, end, duration), or the status it ended in.
/// </summary>
/// <param name="At">When it began; null when the API did not say (an unknown status).</param>
/// <param name="Duration">How long the phase lasted, or has lasted so far; for the final status, the batch's whole life.</param>
/// <param name="IsEnd">The final status (completed, failed, expired, cancelled), which has a moment, not a duration.</param>
/// <param name="Note">A remark for an unusual phase: "finalizing for 3 h", "cancel took 47 min".</param>
public sealed record TimelineEntry(BatchStatus Status, DateTimeOffset? At, DateTimeOffset? End, TimeSpan? Duration, bool IsCurrent, bool IsEnd, string? Note)
{
    public static IReadOnlyList<TimelineEntry> Of(Batch batch, BatchInsights insights, DateTimeOffset now, BatchInsightOptions? options = null)
    {
        options ??= BatchInsightOptions.Default;
        var unknown = batch.Status.Kind == BatchStatusKind.Unknown;
        var entries = new List<TimelineEntry>(insights.Phases.Count + 1);
        foreach (var phase in insights.Phases)
        {
            // An unknown status is shown as the current one; the phase before it is then no longer known to last.
            var current = phase.IsCurrent && !unknown;
            var duration = current ? Max(now - phase.Start) : phase.Duration;
            entries.Add(new(BatchStatus.Of(phase.Kind), phase.Start, phase.End, unknown && phase.IsCurrent ? null : duration, current, false,
                NoteFor(phase.Kind, duration, current, options)));
        }

        if (batch.Status.IsTerminal)
        {
            var at = EndOf(batch) ?? insights.Phases.LastOrDefault()?.End;
            TimeSpan? life = at is { } ended && batch.CreatedAt is { } created ? Max(ended - created) : null;
            entries.Add(new(batch.Status, at, null, life, false, true, null));
        }
        else if (unknown)
        {
            entries.Add(new(batch.Status, null, null, null, true, false, "a status this version does not know, shown as the API sent it"));
        }

        return entries;
    }

    /// <summary>The timestamp of the status the batch ended in.</summary>
    private static DateTimeOffset? EndOf(Batch batch) => batch.Status.Kind switch
    {
        BatchStatusKind.Completed => batch.CompletedAt,
        BatchStatusKind.Failed => batch.FailedAt,
        BatchStatusKind.Expired => batch.ExpiredAt,
        BatchStatusKind.Cancelled => batch.CancelledAt,
        _ => null,
    };

    /// <summary>A phase that took longer than usual, finished or not: "finalizing for 3 h", "cancel took 47 min".</summary>
    private static string? NoteFor(BatchStatusKind kind, TimeSpan? duration, bool current, BatchInsightOptions options)
    {
        var usual = options.LongFor(kind);
        if (duration is not { } took || usual is not { } limit || took <= limit)
        {
            return null;
        }

        return kind == BatchStatusKind.Cancelling
            ? $"cancel {(current ? "taking" : "took")} {RelativeTime.Duration(took)}"
            : $"{StatusDisplay.Text(kind)} for {RelativeTime.Duration(took)}";
    }

    private static TimeSpan Max(TimeSpan span) => span < TimeSpan.Zero ? TimeSpan.Zero : span;
}
