using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Model;
using Microsoft.AspNetCore.Components;

namespace BatchDashboard.Dashboard.Components.Pages;

public sealed partial class Batches : IDisposable
{
    private const int PageSize = 50;
    private readonly CancellationTokenSource _disposed = new();
    private IReadOnlyList<BatchRowViewModel> _rows = [];
    private BatchSummary? _summary;
    private bool _hasConnections;
    private IReadOnlyList<ConnectionSyncStatus> _failing = [];
    private IDisposable? _subscription;
    private int _reloadState; // 0 idle, 1 reloading, 2 reloading and another change arrived

    [Inject] private IBatchQueries Queries { get; set; } = default!;
    [Inject] private IConnectionCatalog Connections { get; set; } = default!;
    [Inject] private IBatchChangeNotifications Changes { get; set; } = default!;
    [Inject] private ISyncStatusProvider Sync { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _hasConnections = Connections.Connections.Count > 0;
        await LoadAsync();
        if (RendererInfo.IsInteractive)
        {
            _subscription = Changes.Subscribe(OnCacheChangedAsync);
        }
    }

    private async Task LoadAsync()
    {
        var page = await Queries.ListAsync(new BatchListRequest { PageSize = PageSize }, _disposed.Token);
        var now = Time.GetUtcNow();
        _rows = [.. page.Items.Select(item => BatchRowViewModel.From(item, now))];
        _summary = await Queries.SummarizeAsync(new BatchFilter(), _disposed.Token);
        _failing = FailingConnections();
    }

    private IReadOnlyList<ConnectionSyncStatus> FailingConnections() => [.. Sync.GetAll().Where(s => s.Phase == SyncPhase.Failing)];

    // A first import changes hundreds of batches a second: coalesce, so at most one reload runs and one waits.
    private async Task OnCacheChangedAsync(CacheChange change)
    {
        if (change.ChangedBatchIds.Count == 0)
        {
            if (change.SyncStateChanged)
            {
                await InvokeAsync(() =>
                {
                    _failing = FailingConnections();
                    StateHasChanged();
                });
            }

            return;
        }

        while (true)
        {
            var state = Volatile.Read(ref _reloadState);
            if (Interlocked.CompareExchange(ref _reloadState, state == 0 ? 1 : 2, state) == state)
            {
                if (state != 0)
                {
                    return; // The running reload will go once more.
                }

                break;
            }
        }

        try
        {
            do
            {
                _reloadState = 1;
                await InvokeAsync(async () =>
                {
                    await LoadAsync();
                    StateHasChanged();
                });
            }
            while (Interlocked.CompareExchange(ref _reloadState, 0, 1) != 1);
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
