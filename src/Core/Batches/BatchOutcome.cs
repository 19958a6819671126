namespace BatchDashboard.Core.Batches;

/// <summary>
/// What one batch adds to the insights (its counts, tokens and, once completed, how long it took), on the UTC day it
/// was created: the day the list's date filter uses, so a figure's link lists exactly the batches behind it. A
/// function of the batch alone, so that the rollups kept as batches change can always be checked against a recount.
/// </summary>
/// <param name="Status">The final status's name, or <see cref="Running"/> for any batch that has not ended.</param>
/// <param name="Unrun">Requests neither completed nor failed when the batch ended (expired, cancelled, failed).</param>
/// <param name="UnrunInputTokens">
/// About how many input tokens the unrun requests held: at the batch's own input tokens per completed request, so 0
/// when none completed (nothing to go on).
/// </param>
public sealed record BatchOutcome(
    long Day,
    string Status,
    string Endpoint,
    string Model,
    int SizeBucket,
    IReadOnlyList<KeyValuePair<string, string>> Metadata,
    long Requests,
    long Completed,
    long Failed,
    long Unrun,
    long InputTokens,
    long CachedTokens,
    long OutputTokens,
    long UnrunInputTokens,
    BatchDurations? Durations)
{
    /// <summary>The status of every batch still validating, in progress, finalizing or cancelling.</summary>
    public const string Running = "running";

    private const long SecondsPerDay = 86_400;

    /// <summary>The request-count buckets that turnaround is grouped by, with their labels; 0 is "not known".</summary>
    public static readonly IReadOnlyList<(int Bucket, int From, int? To, string Label)> SizeBuckets =
    [
        (1, 1, 99, "1–99 requests"),
        (2, 100, 999, "100–999 requests"),
        (3, 1_000, 9_999, "1,000–9,999 requests"),
        (4, 10_000, 49_999, "10,000–49,999 requests"),
        (5, 50_000, null, "50,000 requests or more"),
    ];

    public static BatchOutcome Of(Batch batch)
    {
        var counts = batch.RequestCounts;
        var total = Math.Max(0, counts?.Total ?? 0);
        var terminal = batch.Status.IsTerminal;
        var completed = terminal ? Math.Max(0, counts?.Completed ?? 0) : 0;
        var failed = terminal ? Math.Max(0, counts?.Failed ?? 0) : 0;
        var unrun = terminal && batch.Status.Kind is not BatchStatusKind.Completed ? counts?.Pending ?? 0 : 0;
        var usage = terminal ? batch.Usage : null;
        var input = Math.Max(0, usage?.InputTokens ?? 0);
        var unrunInput = unrun > 0 && completed > 0 && input > 0 ? (long)Math.Round(input / (double)completed * unrun) : 0;
        var metadata = batch.Metadata.Count == 0 ? [] : batch.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
        return new BatchOutcome(
            DayOf(batch.CreatedAt),
            terminal ? batch.Status.Name : Running,
            batch.Endpoint ?? "",
            batch.Model ?? "",
            SizeBucketOf(total),
            metadata,
            total,
            completed,
            failed,
            unrun,
            input,
            Math.Max(0, usage?.CachedTokens ?? 0),
            Math.Max(0, usage?.OutputTokens ?? 0),
            unrunInput,
            batch.Status.Kind == BatchStatusKind.Completed ? BatchDurations.Of(batch) : null);
    }

    /// <summary>The day number (days since 1970-01-01, UTC) of a moment; 0 when it is unknown.</summary>
    public static long DayOf(DateTimeOffset? at) => at is { } value ? Math.Max(0, value.ToUnixTimeSeconds() / SecondsPerDay) : 0;

    public static DateOnly DateOf(long day) => DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (int)day);

    public static long DayOf(DateOnly date) => date.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    public static int SizeBucketOf(long requests)
    {
        foreach (var (bucket, from, to, _) in SizeBuckets)
        {
            if (requests >= from && (to is null || requests <= to))
            {
                return bucket;
            }
        }

        return 0;
    }

    public static string SizeLabelOf(int bucket) =>
        SizeBuckets.FirstOrDefault(b => b.Bucket == bucket).Label ?? "size not known";
}

/// <summary>
/// How long a completed batch took: from created to completed, and in each phase (as <see cref="BatchInsights"/>
/// dates them). A phase whose timestamps are missing is null.
/// </summary>
public sealed record BatchDurations(TimeSpan? Turnaround, TimeSpan? Validating, TimeSpan? InProgress, TimeSpan? Finalizing)
{
    public static BatchDurations? Of(Batch batch)
    {
        if (batch.CreatedAt is not { } created || batch.CompletedAt is not { } completed || completed < created)
        {
            return null;
        }

        var phases = BatchInsights.Of(batch, completed).Phases;
        TimeSpan? Phase(BatchStatusKind kind) => phases.FirstOrDefault(p => p.Kind == kind && p.End is not null)?.Duration;
        return new BatchDurations(completed - created, Phase(BatchStatusKind.Validating), Phase(BatchStatusKind.InProgress), Phase(BatchStatusKind.Finalizing));
    }
}
