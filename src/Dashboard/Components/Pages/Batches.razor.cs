using System.Data.Common;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Model;
using Microsoft.AspNetCore.Components;

namespace BatchDashboard.Dashboard.Components.Pages;

/// <summary>
/// The batch list: every filter, the sort and the page live in the URL (<see cref="BatchListQuery"/>), so links and
/// the back button work; the cache's change notifications keep the open page current.
/// </summary>
public sealed partial class Batches : IDisposable
{
    public const int PageSize = 50;

    private static readonly BatchStatusKind[] HeaderStatuses =
    [
        BatchStatusKind.Validating, BatchStatusKind.InProgress, BatchStatusKind.Finalizing, BatchStatusKind.Completed,
        BatchStatusKind.Failed, BatchStatusKind.Expired, BatchStatusKind.Cancelling, BatchStatusKind.Cancelled,
    ];

    private readonly CancellationTokenSource _disposed = new();
    private BatchListQuery _query = new();
    private List<string> _problems = [];
    private BatchListPage? _page;
    private MarkupString _rowsHtml;
    private string? _nextCursor;
    private BatchSummary? _summary;
    private int _cached;
    private DateTimeOffset _now;
    private IReadOnlyList<string> _endpoints = [];
    private IReadOnlyList<string> _models = [];
    private bool _hasConnections;
    private IReadOnlyList<ConnectionSyncStatus> _failing = [];
    private IReadOnlySet<string> _highlighted = new HashSet<string>();
    private IDisposable? _subscription;
    private string? _loadError;

    [Inject] private IBatchQueries Queries { get; set; } = default!;
    [Inject] private IConnectionCatalog Connections { get; set; } = default!;
    [Inject] private IBatchChangeNotifications Changes { get; set; } = default!;
    [Inject] private ISyncStatusProvider Sync { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private BatchListRowsMarkup RowsMarkup { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private ILogger<Batches> Logger { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "status")] public string? StatusParameter { get; set; }
    [SupplyParameterFromQuery(Name = "endpoint")] public string? EndpointParameter { get; set; }
    [SupplyParameterFromQuery(Name = "model")] public string? ModelParameter { get; set; }
    [SupplyParameterFromQuery(Name = "connection")] public string? ConnectionParameter { get; set; }
    [SupplyParameterFromQuery(Name = "from")] public string? FromParameter { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? ToParameter { get; set; }
    [SupplyParameterFromQuery(Name = "meta")] public string? MetaParameter { get; set; }
    [SupplyParameterFromQuery(Name = "q")] public string? TextParameter { get; set; }
    [SupplyParameterFromQuery(Name = "sort")] public string? SortParameter { get; set; }
    [SupplyParameterFromQuery(Name = "dir")] public string? DirectionParameter { get; set; }
    [SupplyParameterFromQuery(Name = "after")] public string? AfterParameter { get; set; }

    private int Matching => _summary is null ? 0
        : _query.Statuses.Count == 0 ? _summary.Total
        : _query.Statuses.Sum(s => _summary.CountsByStatus.GetValueOrDefault(BatchStatus.NameOf(s)));

    private bool ManyConnections => Connections.Connections.Count > 1;

    private int RowCount => _page?.Items.Count ?? 0;

    protected override void OnInitialized()
    {
        _hasConnections = Connections.Connections.Count > 0;
        if (RendererInfo.IsInteractive)
        {
            _subscription = Changes.Follow(OnCacheChangedAsync);
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        var values = new Dictionary<string, string?>
        {
            ["status"] = StatusParameter, ["endpoint"] = EndpointParameter, ["model"] = ModelParameter,
            ["connection"] = ConnectionParameter, ["from"] = FromParameter, ["to"] = ToParameter, ["meta"] = MetaParameter,
            ["q"] = TextParameter, ["sort"] = SortParameter, ["dir"] = DirectionParameter, ["after"] = AfterParameter,
        };
        _query = BatchListQuery.Parse(name => values.GetValueOrDefault(name), out _problems);
        _highlighted = new HashSet<string>();
        await LoadAsync();
        await RenderRowsAsync();
    }

    private async Task LoadAsync()
    {
        try
        {
            var page = await Queries.ListAsync(_query.ToRequest(PageSize), _disposed.Token);
            _now = BatchListRowsMarkup.ToSecond(Time.GetUtcNow());
            _page = page;
            _nextCursor = page.NextCursor;
            _summary = await Queries.SummarizeAsync(_query.ToFilter(), _disposed.Token);
            _cached = _query.HasFilters ? (await Queries.SummarizeAsync(new BatchFilter(), _disposed.Token)).Total : _summary.Total;
            (_endpoints, _models) = await Queries.GetFacetsAsync(_disposed.Token);
            _loadError = null;
        }
        catch (DbException ex)
        {
            // What was read last stays on screen, with a word on why it is not moving.
            Logger.LogError(ex, "Reading the batch list from the cache failed");
            _loadError = "The cache database did not answer; the error is in the server log.";
        }

        _failing = [.. Sync.GetAll().Where(s => s.Phase == SyncPhase.Failing)];
    }

    /// <summary>The rows' HTML, shared with every view of the same page read in the same second unless some are marked.</summary>
    private async Task RenderRowsAsync()
    {
        if (_page is not null)
        {
            _rowsHtml = await RowsMarkup.GetAsync(_page, _now, ManyConnections, _highlighted);
        }
    }

    private static string Link(BatchListQuery query) => DashboardUrls.Batches(query);

    /// <summary>Applies a filter change: back to the first page, with the new state in the URL.</summary>
    private void Set(Func<BatchListQuery, BatchListQuery> change) => Navigation.NavigateTo(Link(change(_query) with { After = null }));

    private static string? Value(ChangeEventArgs e) => e.Value?.ToString() is { Length: > 0 } text ? text : null;

    private static DateOnly? DayValue(ChangeEventArgs e) => DateOnly.TryParse(Value(e), System.Globalization.CultureInfo.InvariantCulture, out var day) ? day : null;

    private string SortLink(BatchSortField field) =>
        Link(_query with { Sort = field, Ascending = _query.Sort == field && !_query.Ascending, After = null });

    private string AriaSort(BatchSortField field) =>
        _query.Sort != field ? "none" : _query.Ascending ? "ascending" : "descending";

    private string ExportLink(string format) => DashboardUrls.BatchesExport(format, _query);

    // The changes since the last reload, merged: a first import's hundreds a second become a few reloads.
    private async Task OnCacheChangedAsync(CacheChanges changes)
    {
        try
        {
            await InvokeAsync(async () =>
            {
                if (changes.HasBatches)
                {
                    await LoadAsync();
                    _highlighted = changes.BatchIds;
                    await RenderRowsAsync();
                }
                else
                {
                    _failing = [.. Sync.GetAll().Where(s => s.Phase == SyncPhase.Failing)];
                }

                StateHasChanged();
            });
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The page was closed while it reloaded.
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
