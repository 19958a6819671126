namespace BatchDashboard.Core.Insights;

/// <summary>
/// Which batches the insights cover: those created on the UTC days <see cref="From"/> to <see cref="To"/> (inclusive),
/// narrowed as the list narrows (connection, endpoint, model, a metadata key or <c>key=value</c>), with the spend
/// grouped by the metadata key <see cref="GroupBy"/> when one is chosen.
/// </summary>
public sealed record InsightFilter(DateOnly From, DateOnly To)
{
    public string? ConnectionId { get; init; }
    public string? Endpoint { get; init; }
    public string? Model { get; init; }
    public string? MetadataKey { get; init; }
    public string? MetadataValue { get; init; }
    public string? GroupBy { get; init; }
}

/// <summary>Percentiles of a set of durations (from histograms: each within about 1.1% of the exact value).</summary>
public sealed record DurationStats(long Count, TimeSpan? P50, TimeSpan? P90, TimeSpan? P99)
{
    public static DurationStats Empty { get; } = new(0, null, null, null);
}

/// <summary>Batches and requests created on a day that ended in a status (or are <c>running</c>).</summary>
public sealed record VolumeRow(DateOnly Day, string Status, long Batches, long Requests, long Completed, long Failed, long Unrun);

/// <summary>How long completed batches of a group took, end to end and per phase.</summary>
/// <param name="Dimension"><c>model</c>, <c>endpoint</c> or <c>size</c>.</param>
/// <param name="Group">The model, the endpoint, or the size bucket's number.</param>
public sealed record DurationRow(string Dimension, string Group, string Label, DurationStats Turnaround, DurationStats Validating,
    DurationStats InProgress, DurationStats Finalizing);

/// <summary>The same, per day of creation: whether a phase is getting slower.</summary>
public sealed record PhaseTrendRow(DateOnly Day, DurationStats Turnaround, DurationStats Validating, DurationStats InProgress, DurationStats Finalizing);

/// <summary>Requests finished per day, and the failed share of them.</summary>
public sealed record FailureRow(DateOnly Day, long Completed, long Failed)
{
    public double? FailedShare => Completed + Failed > 0 ? Failed / (double)(Completed + Failed) : null;
}

/// <summary>Failed requests per day and error code, from the batches whose result files are indexed.</summary>
public sealed record ErrorRow(DateOnly Day, string Code, long Requests);

/// <summary>Tokens and their cost at batch prices; <see cref="Cost"/> is null when no price is known for the model.</summary>
public sealed record SpendRow(DateOnly Day, string Model, long Batches, long InputTokens, long CachedTokens, long OutputTokens, decimal? Cost);

/// <summary>
/// Tokens and cost of the batches whose metadata key holds <see cref="Value"/> (null: batches without the key).
/// <see cref="UnpricedBatches"/> counts batches of models without a price, whose tokens are counted and not costed.
/// </summary>
public sealed record GroupSpendRow(string? Value, long Batches, long Requests, long InputTokens, long CachedTokens, long OutputTokens, decimal Cost,
    long UnpricedBatches);

/// <summary>
/// Expired or cancelled batches: the requests that never ran and what their inputs would have cost, and what was paid
/// for the requests that did run (their results are kept, and can be downloaded while the files last).
/// </summary>
/// <param name="UnrunInputTokens">Estimated from each batch's own input tokens per completed request; 0 where none completed.</param>
/// <param name="UnknownBatches">Batches with unrun requests that could not be priced: none of theirs completed, or the model has no price.</param>
/// <param name="PaidCost">The batch price of the tokens these batches used; null when the model has no price.</param>
public sealed record WasteRow(string Status, string Model, long Batches, long Unrun, long UnrunInputTokens, decimal Cost, long UnknownBatches, decimal? PaidCost);

/// <summary>Everything the insights page shows for one filter.</summary>
/// <param name="ErrorsCounted">Failed requests found in indexed result files, of <see cref="FailedRequests"/> the batches report.</param>
/// <param name="GroupProblem">Why the spend cannot be grouped by <see cref="InsightFilter.GroupBy"/>, or null.</param>
public sealed record InsightReport(
    InsightFilter Filter,
    IReadOnlyList<VolumeRow> Volume,
    IReadOnlyList<DurationRow> Durations,
    IReadOnlyList<PhaseTrendRow> PhaseTrend,
    IReadOnlyList<FailureRow> Failures,
    IReadOnlyList<ErrorRow> Errors,
    long ErrorsCounted,
    long FailedRequests,
    IReadOnlyList<SpendRow> Spend,
    IReadOnlyList<GroupSpendRow> Groups,
    string? GroupProblem,
    IReadOnlyList<WasteRow> Waste,
    IReadOnlyList<string> MetadataKeys);

/// <summary>
/// How batches like one went, from the rollups of the last <see cref="Lookback"/>: same connection,
/// endpoint and model, of a similar size when enough of those completed, otherwise of any size.
/// </summary>
/// <param name="SameSize">True when the figures are for batches of its own size bucket.</param>
public sealed record SimilarBatches(long Count, bool SameSize, PhaseSpread Turnaround, PhaseSpread Validating, PhaseSpread InProgress,
    PhaseSpread Finalizing)
{
    /// <summary>How far back an estimate looks for batches like the one it is for.</summary>
    public static readonly TimeSpan Lookback = TimeSpan.FromDays(30);

    /// <summary>Fewer completed batches of its size than this, and an estimate looks at every size.</summary>
    public const int EnoughOfSameSize = 5;
}

/// <summary>The 10th to 90th percentile of how long a phase (or the whole batch) took, and its median.</summary>
public sealed record PhaseSpread(long Count, TimeSpan? Low, TimeSpan? Median, TimeSpan? High);
