namespace BatchDashboard.Core.Batches;

/// <summary>
/// One batch, every field of the Batch object, read tolerantly: any field but <see cref="Id"/> may be missing.
/// <see cref="RawJson"/> keeps the object exactly as received, so fields added later can be read without a refetch.
/// </summary>
public sealed record Batch
{
    public required string Id { get; init; }
    public string? Object { get; init; }
    public string? Endpoint { get; init; }
    public string? Model { get; init; }
    public string? InputFileId { get; init; }
    public string? CompletionWindow { get; init; }
    public BatchStatus Status { get; init; }
    public string? OutputFileId { get; init; }
    public string? ErrorFileId { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? InProgressAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? FinalizingAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public DateTimeOffset? FailedAt { get; init; }
    public DateTimeOffset? ExpiredAt { get; init; }
    public DateTimeOffset? CancellingAt { get; init; }
    public DateTimeOffset? CancelledAt { get; init; }

    /// <summary>Null when the API sent no counts at all.</summary>
    public RequestCounts? RequestCounts { get; init; }

    /// <summary>Null when absent. All zeros means "not computed yet", not "free".</summary>
    public BatchUsage? Usage { get; init; }

    public IReadOnlyList<BatchError> Errors { get; init; } = [];

    /// <summary>Metadata pairs; a value that was not a JSON string is kept as its JSON text.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;

    /// <summary>Top-level fields this version does not know, as their raw JSON text.</summary>
    public IReadOnlyDictionary<string, string> ExtraFields { get; init; } = EmptyMetadata;

    /// <summary>The batch object exactly as received.</summary>
    public required string RawJson { get; init; }

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();
}

/// <summary>The API's request counts; any member may be missing. They need not add up (see <see cref="Pending"/>).</summary>
public sealed record RequestCounts(int? Total, int? Completed, int? Failed)
{
    /// <summary>Requests neither completed nor failed, never negative. Expired and cancelled requests land here too.</summary>
    public int Pending => Math.Max(0, (Total ?? 0) - (Completed ?? 0) - (Failed ?? 0));

    /// <summary>True when completed and failed account for every request.</summary>
    public bool AddsUp => (Completed ?? 0) + (Failed ?? 0) == (Total ?? 0);
}

/// <summary>Token usage. Any member may be missing from providers other than OpenAI.</summary>
public sealed record BatchUsage(long? InputTokens, long? CachedTokens, long? OutputTokens, long? ReasoningTokens, long? TotalTokens)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => (InputTokens ?? 0) == 0 && (OutputTokens ?? 0) == 0 && (TotalTokens ?? 0) == 0;
}

/// <summary>One entry of <c>errors.data</c>: why a batch failed validation. Every member is optional.</summary>
public sealed record BatchError(string? Code, string? Message, string? Param, int? Line);
