using System.Data.Common;
using System.Globalization;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Sync;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// What the batch list shows for a <see cref="BatchListQuery"/>: a page of rows read from the cache (keyset paging:
/// the URL holds the page's cursor and number, and the pages a person walked through are kept as a map from number
/// to cursor, so "previous" needs no offset), the header's counts, the filter choices (endpoint and model narrowing
/// each other) and what is wrong with the sync or the cache. One per circuit (scoped), read by the page; the shaping
/// is tested without a renderer.
/// </summary>
public sealed class BatchListViewModel(
    IBatchQueries queries,
    IConnectionCatalog connections,
    ISyncStatusProvider sync,
    BatchListRowsMarkup rowsMarkup,
    IOptions<BatchInsightOptions> flags,
    TimeProvider time,
    ILogger<BatchListViewModel> logger)
{
    public const int PageSize = 50;

    /// <summary>The statuses the header counts, in the order a batch moves through them.</summary>
    public static readonly IReadOnlyList<BatchStatusKind> HeaderStatuses =
    [
        BatchStatusKind.Validating, BatchStatusKind.InProgress, BatchStatusKind.Finalizing, BatchStatusKind.Completed,
        BatchStatusKind.Failed, BatchStatusKind.Expired, BatchStatusKind.Cancelling, BatchStatusKind.Cancelled,
    ];

    // The cursor that starts each page walked through, by page number, for the query (less its page) they belong to.
    private readonly Dictionary<int, string?> _cursors = [];
    private BatchListQuery? _cursorsQuery;

    public BatchListQuery Query { get; private set; } = new();

    /// <summary>Values in the address that could not be used, said on the page.</summary>
    public IReadOnlyList<string> Problems { get; private set; } = [];

    /// <summary>The page's rows, shaped on first use (the page itself shows <see cref="RowsHtml"/>, shaped once for every view).</summary>
    public IReadOnlyList<BatchRowViewModel> Rows => _rows ??= _page is null ? [] : [.. _page.Items.Select(item => BatchRowViewModel.From(item, Now, flags.Value))];

    public int RowCount => _page?.Items.Count ?? 0;

    /// <summary>The rows as HTML, shared with every view of the same page read in the same second (<see cref="BatchListRowsMarkup"/>).</summary>
    public MarkupString RowsHtml { get; private set; }

    private BatchListPage? _page;
    private IReadOnlyList<BatchRowViewModel>? _rows;

    public BatchSummary? Summary { get; private set; }

    /// <summary>The list of the batches behind "requests in flight": those not yet ended.</summary>
    public string InFlightHref => DashboardUrls.Batches((Query with
    {
        Statuses = [BatchStatusKind.Validating, BatchStatusKind.InProgress, BatchStatusKind.Finalizing, BatchStatusKind.Cancelling],
    }).FirstPage());

    /// <summary>The list of the batches behind "failed batches, last 24 h": failed, created in the last day.</summary>
    public string FailedBatchesHref => DashboardUrls.Batches((Query with
    {
        Statuses = [BatchStatusKind.Failed], Within = "24h", From = null, To = null,
    }).FirstPage());

    /// <summary>The list of the batches behind "failed requests, last 24 h": created in the last day, most failures first.</summary>
    public string FailedRequestsHref => DashboardUrls.Batches((Query with
    {
        Within = "24h", From = null, To = null, Sort = BatchSortField.Failures, Ascending = false,
    }).FirstPage());

    /// <summary>Every batch cached, whatever the filters.</summary>
    public int Cached { get; private set; }

    public IReadOnlyList<string> Endpoints { get; private set; } = [];

    public IReadOnlyList<string> Models { get; private set; } = [];

    public IReadOnlyList<ConnectionSyncStatus> Failing { get; private set; } = [];

    /// <summary>Why the cache could not be read (what was read before stays), or null.</summary>
    public string? LoadError { get; private set; }

    /// <summary>The moment the rows' relative times count from.</summary>
    public DateTimeOffset Now { get; private set; }

    public string? NextCursor { get; private set; }

    /// <summary>Ids of the rows the last live update changed, marked for a moment.</summary>
    public IReadOnlySet<string> Highlighted { get; private set; } = new HashSet<string>();

    public bool HasConnections => connections.Connections.Count > 0;

    public bool ManyConnections => connections.Connections.Count > 1;

    public IReadOnlyList<ConnectionInfo> Connections => [.. connections.Connections.Select(c => new ConnectionInfo(c.Id, c.Name))];

    /// <summary>The batches the filters select (each status chip's count sums to it).</summary>
    public int Matching => Summary is null ? 0
        : Query.Statuses.Count == 0 ? Summary.Total
        : Query.Statuses.Sum(s => Summary.CountsByStatus.GetValueOrDefault(BatchStatus.NameOf(s)));

    public int CountOf(BatchStatusKind status) => Summary?.CountsByStatus.GetValueOrDefault(BatchStatus.NameOf(status)) ?? 0;

    /// <summary>"51–100 of 2,400": where this page is among the batches that match.</summary>
    public string Range
    {
        get
        {
            if (RowCount == 0)
            {
                return "0 of " + Matching.ToString("N0", CultureInfo.InvariantCulture);
            }

            var first = ((Query.Page - 1) * PageSize) + 1;
            var last = first + RowCount - 1;
            // Batches arriving while someone pages can push the count past what this page's number says.
            var total = Math.Max(Matching, last);
            return string.Create(CultureInfo.InvariantCulture, $"{first:N0}–{last:N0} of {total:N0}");
        }
    }

    /// <summary>The next page, or null on the last.</summary>
    public BatchListQuery? NextPage => NextCursor is null ? null : Query with { After = NextCursor, Page = Query.Page + 1 };

    /// <summary>
    /// The page before, or null on the first. Known from the pages walked through; a page opened from a link, whose
    /// earlier pages were never read here, goes back to the first.
    /// </summary>
    public BatchListQuery? PreviousPage => Query.Page <= 1 ? null
        : Query.Page == 2 ? Query.FirstPage()
        : _cursors.TryGetValue(Query.Page - 1, out var cursor) && cursor is not null ? Query with { After = cursor, Page = Query.Page - 1 }
        : Query.FirstPage();

    /// <summary>Reads the page <paramref name="query"/> names; on a cache error, what was shown stays, with why.</summary>
    public async Task LoadAsync(BatchListQuery query, IReadOnlyList<string> problems, CancellationToken cancellationToken)
    {
        Query = query;
        Problems = problems;
        Remember(query);
        await ReadAsync(new HashSet<string>(), cancellationToken);
    }

    /// <summary>The cache changed: the same page read again, the changed rows marked.</summary>
    public async Task ApplyAsync(CacheChanges changes, CancellationToken cancellationToken)
    {
        if (changes.HasBatches)
        {
            await ReadAsync(changes.BatchIds, cancellationToken);
        }
        else
        {
            Failing = FailingSyncs();
        }
    }

    private void Remember(BatchListQuery query)
    {
        var key = query.FirstPage();
        if (_cursorsQuery != key)
        {
            _cursors.Clear();
            _cursorsQuery = key;
        }

        _cursors[query.Page] = query.After;
    }

    private async Task ReadAsync(IReadOnlySet<string> highlighted, CancellationToken cancellationToken)
    {
        try
        {
            var now = time.GetUtcNow();
            var filter = Query.ToFilter(now);
            var page = await queries.ListAsync(Query.ToRequest(PageSize, now), cancellationToken);
            var summary = await queries.SummarizeAsync(filter, cancellationToken);
            Cached = Query.HasFilters ? (await queries.SummarizeAsync(new BatchFilter(), cancellationToken)).Total : summary.Total;
            (Endpoints, Models) = await queries.GetFacetsAsync(Query.Endpoint, Query.Model, cancellationToken);
            // Relative times to the second: every view of the same read in the same second says the same.
            Now = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), now.Offset);
            NextCursor = page.NextCursor;
            _page = page;
            _rows = null;
            Summary = summary;
            LoadError = null;
        }
        catch (DbException ex)
        {
            // What was read last stays on screen, with a word on why it is not moving.
            logger.LogError(ex, "Reading the batch list from the cache failed");
            LoadError = "The cache database did not answer; the error is in the server log.";
        }

        Highlighted = highlighted;
        if (_page is { } read)
        {
            RowsHtml = await rowsMarkup.GetAsync(read, Now, ManyConnections, Highlighted);
        }

        Failing = FailingSyncs();
    }

    private IReadOnlyList<ConnectionSyncStatus> FailingSyncs() => [.. sync.GetAll().Where(s => s.Phase == SyncPhase.Failing)];
}

/// <summary>A connection as the filters offer it.</summary>
public sealed record ConnectionInfo(string Id, string Name);

/// <summary>A change of the list's filters: the new query, and whether it comes from typing (which replaces the history entry).</summary>
public sealed record BatchFilterChange(BatchListQuery Query, bool Typing = false);
