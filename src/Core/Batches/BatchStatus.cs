namespace BatchDashboard.Core.Batches;

/// <summary>The statuses of the Batch API's lifecycle, plus <see cref="Unknown"/> for anything else a provider sends.</summary>
public enum BatchStatusKind
{
    Unknown,
    Validating,
    InProgress,
    Finalizing,
    Completed,
    Failed,
    Expired,
    Cancelling,
    Cancelled,
}

/// <summary>
/// A batch's status as the API sent it (<see cref="Raw"/>) and as understood (<see cref="Kind"/>). Matching is
/// case-insensitive and spelling-tolerant; an unrecognised value is kept and shown as it came, never rejected.
/// </summary>
public readonly record struct BatchStatus(BatchStatusKind Kind, string Raw)
{
    public static BatchStatus Parse(string? raw)
    {
        var text = raw?.Trim() ?? "";
        var normalized = text.ToLowerInvariant().Replace('-', '_').Replace(' ', '_');
        var kind = normalized switch
        {
            "validating" => BatchStatusKind.Validating,
            "in_progress" or "inprogress" => BatchStatusKind.InProgress,
            "finalizing" or "finalising" => BatchStatusKind.Finalizing,
            "completed" => BatchStatusKind.Completed,
            "failed" => BatchStatusKind.Failed,
            "expired" => BatchStatusKind.Expired,
            "cancelling" or "canceling" => BatchStatusKind.Cancelling,
            "cancelled" or "canceled" => BatchStatusKind.Cancelled,
            _ => BatchStatusKind.Unknown,
        };
        return new BatchStatus(kind, text);
    }

    public static BatchStatus Of(BatchStatusKind kind) => new(kind, NameOf(kind));

    /// <summary>The API's name for a known status (<c>in_progress</c>), or the raw text of an unknown one.</summary>
    public string Name => Kind == BatchStatusKind.Unknown ? Raw : NameOf(Kind);

    /// <summary>Completed, failed, expired and cancelled batches never change again.</summary>
    public bool IsTerminal => IsTerminalKind(Kind);

    /// <summary>
    /// How far along the lifecycle the status is. A response whose status ranks lower than what the cache holds is
    /// stale and must not move a batch backwards. Unknown statuses rank 0, so they never override a known one.
    /// </summary>
    public int Rank => Kind switch
    {
        BatchStatusKind.Validating => 1,
        BatchStatusKind.InProgress => 2,
        BatchStatusKind.Finalizing or BatchStatusKind.Cancelling => 3,
        BatchStatusKind.Completed or BatchStatusKind.Failed or BatchStatusKind.Expired or BatchStatusKind.Cancelled => 4,
        _ => 0,
    };

    public static bool IsTerminalKind(BatchStatusKind kind) =>
        kind is BatchStatusKind.Completed or BatchStatusKind.Failed or BatchStatusKind.Expired or BatchStatusKind.Cancelled;

    public static string NameOf(BatchStatusKind kind) => kind switch
    {
        BatchStatusKind.Validating => "validating",
        BatchStatusKind.InProgress => "in_progress",
        BatchStatusKind.Finalizing => "finalizing",
        BatchStatusKind.Completed => "completed",
        BatchStatusKind.Failed => "failed",
        BatchStatusKind.Expired => "expired",
        BatchStatusKind.Cancelling => "cancelling",
        BatchStatusKind.Cancelled => "cancelled",
        _ => "unknown",
    };

    public override string ToString() => Name;
}
