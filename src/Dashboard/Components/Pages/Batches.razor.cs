using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Model;
using Microsoft.AspNetCore.Components;

namespace BatchDashboard.Dashboard.Components.Pages;

/// <summary>
/// The batch list: every filter, the sort and the page live in the URL (<see cref="BatchListQuery"/>), so links and
/// the back button work; what it shows is its view model's (<see cref="BatchListViewModel"/>), which the cache's
/// change notifications keep current.
/// </summary>
public sealed partial class Batches : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private IDisposable? _subscription;

    [Inject] private BatchListViewModel Model { get; set; } = default!;
    [Inject] private IBatchChangeNotifications Changes { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "status")] public string? StatusParameter { get; set; }
    [SupplyParameterFromQuery(Name = "attention")] public string? AttentionParameter { get; set; }
    [SupplyParameterFromQuery(Name = "endpoint")] public string? EndpointParameter { get; set; }
    [SupplyParameterFromQuery(Name = "model")] public string? ModelParameter { get; set; }
    [SupplyParameterFromQuery(Name = "connection")] public string? ConnectionParameter { get; set; }
    [SupplyParameterFromQuery(Name = "from")] public string? FromParameter { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? ToParameter { get; set; }
    [SupplyParameterFromQuery(Name = "within")] public string? WithinParameter { get; set; }
    [SupplyParameterFromQuery(Name = "meta")] public string? MetaParameter { get; set; }
    [SupplyParameterFromQuery(Name = "q")] public string? TextParameter { get; set; }
    [SupplyParameterFromQuery(Name = "sort")] public string? SortParameter { get; set; }
    [SupplyParameterFromQuery(Name = "dir")] public string? DirectionParameter { get; set; }
    [SupplyParameterFromQuery(Name = "after")] public string? AfterParameter { get; set; }
    [SupplyParameterFromQuery(Name = "page")] public string? PageParameter { get; set; }

    private BatchListQuery Query => Model.Query;

    protected override void OnInitialized()
    {
        if (RendererInfo.IsInteractive)
        {
            _subscription = Changes.Follow(OnCacheChangedAsync);
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        var values = new Dictionary<string, string?>
        {
            ["status"] = StatusParameter, ["attention"] = AttentionParameter, ["endpoint"] = EndpointParameter, ["model"] = ModelParameter,
            ["connection"] = ConnectionParameter, ["from"] = FromParameter, ["to"] = ToParameter, ["within"] = WithinParameter,
            ["meta"] = MetaParameter, ["q"] = TextParameter, ["sort"] = SortParameter, ["dir"] = DirectionParameter,
            ["after"] = AfterParameter, ["page"] = PageParameter,
        };
        var query = BatchListQuery.Parse(name => values.GetValueOrDefault(name), out var problems);
        await Model.LoadAsync(query, problems, _disposed.Token);
    }

    /// <summary>
    /// A filter changed: back to the first page, with the new state in the URL. Typing in the search box replaces
    /// the history entry, so the back button does not step through every letter.
    /// </summary>
    private void Apply(BatchFilterChange change) =>
        Navigation.NavigateTo(DashboardUrls.Batches(change.Query.FirstPage()), new NavigationOptions { ReplaceHistoryEntry = change.Typing });

    private IReadOnlyList<FilterChip> AttentionChips =>
    [
        new FilterChip("Needs attention", Model.Summary?.NeedsAttention ?? 0, "needs-attention", Query.Attention,
            DashboardUrls.Batches(Query.ToggleAttention()),
            "Batches that failed, or that are flagged: failing requests, a phase longer than usual, a window about to end, counts that do not add up",
            new Dictionary<string, object> { ["data-testid"] = "needs-attention" }),
    ];

    private IReadOnlyList<FilterChip> StatusChips =>
    [
        .. BatchListViewModel.HeaderStatuses.Select(status => new FilterChip(
            StatusDisplay.Text(status), Model.CountOf(status), StatusDisplay.CssClass(status), Query.Statuses.Contains(status),
            DashboardUrls.Batches(Query.ToggleStatus(status)), Attributes: new Dictionary<string, object> { ["data-status"] = Core.Batches.BatchStatus.NameOf(status) })),
    ];

    private string AriaSort(BatchSortField field) =>
        Query.Sort != field ? "none" : Query.Ascending ? "ascending" : "descending";

    // The changes since the last reload, merged by the subscription: a first import's hundreds a second become a few reloads.
    private async Task OnCacheChangedAsync(CacheChanges changes)
    {
        try
        {
            await InvokeAsync(async () =>
            {
                await Model.ApplyAsync(changes, _disposed.Token);
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
