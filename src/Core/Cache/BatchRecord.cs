namespace BatchDashboard.Core.Cache;

/// <summary>
/// A cached batch: the columns the list filters and sorts on. The raw JSON lives apart in
/// <see cref="BatchDocumentRecord"/>, so scans and sorts over this table stay narrow. Times are unix seconds
/// (SQLite cannot sort <see cref="DateTimeOffset"/>). Written by <see cref="BatchStore"/> with plain SQL for speed;
/// mapped here so that migrations own the schema.
/// </summary>
internal sealed class BatchRecord
{
    /// <summary>SQLite's rowid: documents, metadata and snapshots hang off it, so their inserts append in order.</summary>
    public long Key { get; set; }

    public required string ConnectionId { get; set; }
    public required string Id { get; set; }

    /// <summary>The status's canonical name (<c>in_progress</c>), or <c>unknown</c>.</summary>
    public required string Status { get; set; }

    /// <summary>The status exactly as the API sent it.</summary>
    public required string StatusRaw { get; set; }

    public bool IsTerminal { get; set; }
    public string? Endpoint { get; set; }
    public string? Model { get; set; }
    public string? InputFileId { get; set; }
    public string? OutputFileId { get; set; }
    public string? ErrorFileId { get; set; }
    /// <summary>The list's sort key: <c>created_at</c>, or 0 when a provider left it out (the page shows the parsed value).</summary>
    public long CreatedAt { get; set; }

    public long? ExpiresAt { get; set; }

    /// <summary>When the batch reached its terminal status (its terminal timestamp), for durations.</summary>
    public long? EndedAt { get; set; }

    public int? RequestTotal { get; set; }
    public int? RequestCompleted { get; set; }
    public int? RequestFailed { get; set; }

    /// <summary>
    /// The batch needs attention whatever the clock and the settings say (<see cref="Batches.BatchAttention.Alarm"/>):
    /// it failed, or its counts or files are wrong. A partial index holds these.
    /// </summary>
    public bool Alarm { get; set; }

    /// <summary>The failed share of its finished requests, null when none failed: the failure-rate flag's test, indexed.</summary>
    public double? FailedShare { get; set; }

    /// <summary>The current phase's kind (<c>in_progress</c>) while the batch runs, for the "long phase" flag in SQL.</summary>
    public string? Phase { get; set; }

    /// <summary>When the current phase began (unix seconds), while the batch runs.</summary>
    public long? PhaseStartedAt { get; set; }

    /// <summary>Lower-case id, file ids and metadata, for free-text search.</summary>
    public required string SearchText { get; set; }

    public long FirstSeenAt { get; set; }

    /// <summary>When the cached content last changed.</summary>
    public long UpdatedAt { get; set; }
}

/// <summary>The batch object exactly as the API sent it: what pages show, and fields added later can be read from.</summary>
internal sealed class BatchDocumentRecord
{
    public long BatchKey { get; set; }
    public required string RawJson { get; set; }
}

/// <summary>One metadata pair of a batch, for filtering by key and value.</summary>
internal sealed class BatchMetadataRecord
{
    public long BatchKey { get; set; }
    public required string Key { get; set; }
    public required string Value { get; set; }
}

/// <summary>Status and counts of a batch at a moment; written only when they change. The progress chart reads these.</summary>
internal sealed class BatchSnapshotRecord
{
    public long Id { get; set; }
    public long BatchKey { get; set; }
    public long ObservedAt { get; set; }
    public required string Status { get; set; }
    public int? RequestTotal { get; set; }
    public int? RequestCompleted { get; set; }
    public int? RequestFailed { get; set; }
}
