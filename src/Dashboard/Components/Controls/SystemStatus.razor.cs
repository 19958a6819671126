using System.Globalization;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Model;
using Microsoft.AspNetCore.Components;

namespace BatchDashboard.Dashboard.Components.Controls;

public sealed partial class SystemStatus : IDisposable
{
    private static readonly TimeSpan RecentEnough = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _disposed = new();
    private CacheStatus? _status;
    private IReadOnlyList<ConnectionSyncStatus> _sync = [];
    private bool _checking;
    private IDisposable? _subscription;

    [Inject] private IBatchCacheDatabase Database { get; set; } = default!;
    [Inject] private ISyncStatusProvider Sync { get; set; } = default!;
    [Inject] private IBatchChangeNotifications Changes { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _sync = Sync.GetAll();
        // The list shows this card on every view: a check of the last few seconds serves them all ("Check now" runs one).
        _status = await Database.RecentCheckAsync(RecentEnough, _disposed.Token);
        if (RendererInfo.IsInteractive)
        {
            _subscription = Changes.Follow(changes => changes.SyncStateChanged()
                ? InvokeAsync(() =>
                {
                    _sync = Sync.GetAll();
                    StateHasChanged();
                })
                : Task.CompletedTask);
        }
    }

    private async Task CheckNowAsync()
    {
        _checking = true;
        try
        {
            _status = await Database.CheckAsync(_disposed.Token);
            _sync = Sync.GetAll();
        }
        finally
        {
            _checking = false;
        }
    }

    private string SyncText(ConnectionSyncStatus sync) => sync.Phase switch
    {
        SyncPhase.Waiting => "Starting…",
        SyncPhase.Importing => $"Importing: {Plural.Of(sync.ImportedBatches, "batch")} so far",
        SyncPhase.Polling => $"Up to date · synced {RelativeTime.Format(sync.LastSuccessAt, Time.GetUtcNow())}",
        _ when sync.Unauthorized => "The API rejected the key",
        _ => "Sync failing; showing cached data",
    };

    public void Dispose()
    {
        _subscription?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
