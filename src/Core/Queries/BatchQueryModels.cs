using BatchDashboard.Core.Batches;

namespace BatchDashboard.Core.Queries;

/// <summary>Which batches to show. Every member is optional; together they narrow the list.</summary>
public sealed record BatchFilter
{
    public IReadOnlyCollection<BatchStatusKind> Statuses { get; init; } = [];
    public string? Endpoint { get; init; }
    public string? Model { get; init; }
    public string? ConnectionId { get; init; }
    public DateTimeOffset? CreatedFrom { get; init; }
    public DateTimeOffset? CreatedTo { get; init; }

    /// <summary>A metadata key the batch must have; with <see cref="MetadataValue"/>, the value it must have there.</summary>
    public string? MetadataKey { get; init; }

    public string? MetadataValue { get; init; }

    /// <summary>
    /// Only batches whose indexed result files hold a failed request with this error code (the insights' ledger of
    /// each indexed batch's codes: a batch not indexed yet is not found).
    /// </summary>
    public string? ErrorCode { get; init; }

    /// <summary>Text found in the id, a file id or the metadata, case-insensitively.</summary>
    public string? Text { get; init; }

    /// <summary>Only batches that need attention (<see cref="BatchAttention"/>), at the moment of the read.</summary>
    public bool NeedsAttention { get; init; }
}

public enum BatchSortField
{
    Created,

    /// <summary>From creation to the end, or to now while it runs.</summary>
    Duration,

    /// <summary>Share of requests finished (completed or failed).</summary>
    Progress,

    /// <summary>Failed requests.</summary>
    Failures,
}

public sealed record BatchSort(BatchSortField Field = BatchSortField.Created, bool Descending = true);

/// <summary>A page request: keyset paging, <see cref="Cursor"/> being the previous page's <see cref="BatchListPage.NextCursor"/>.</summary>
public sealed record BatchListRequest
{
    public BatchFilter Filter { get; init; } = new();
    public BatchSort Sort { get; init; } = new();
    public int PageSize { get; init; } = 50;
    public string? Cursor { get; init; }
}

/// <summary>A batch as the cache holds it.</summary>
public sealed record CachedBatch(string ConnectionId, Batch Batch, DateTimeOffset FirstSeenAt, DateTimeOffset UpdatedAt);

public sealed record BatchListPage(IReadOnlyList<CachedBatch> Items, string? NextCursor);

/// <summary>The list header: batches per status, requests still running, and recent failures.</summary>
/// <param name="CountsByStatus">Keyed by the status's name (<c>in_progress</c>, or an unknown status as sent).</param>
/// <param name="RequestsInFlight">Requests of unfinished batches not yet completed or failed.</param>
/// <param name="FailedBatchesLast24Hours">Batches created in the last 24 hours that failed.</param>
/// <param name="FailedRequestsLast24Hours">Failed requests of batches created in the last 24 hours.</param>
/// <param name="NeedsAttention">Batches that need attention (<see cref="BatchAttention"/>), whatever the statuses chosen.</param>
public sealed record BatchSummary(
    IReadOnlyDictionary<string, int> CountsByStatus, int Total, long RequestsInFlight, int FailedBatchesLast24Hours, long FailedRequestsLast24Hours,
    int NeedsAttention);
