using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Model;
using Microsoft.AspNetCore.Components;

namespace BatchDashboard.Dashboard.Components.Controls;

/// <summary>Re-reads the sync state when it changes, and every few seconds so "synced 5 s ago" stays true.</summary>
public sealed partial class SyncIndicator : IDisposable
{
    public static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(5);

    private SyncSummary? _summary;
    private IDisposable? _subscription;
    private ITimer? _ticker;

    [Inject] private ISyncStatusProvider Sync { get; set; } = default!;
    [Inject] private IBatchChangeNotifications Changes { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    protected override void OnInitialized()
    {
        Read();
        if (RendererInfo.IsInteractive)
        {
            _subscription = Changes.Follow(changes => changes.SyncStateChanged() ? InvokeAsync(Refresh) : Task.CompletedTask);
            _ticker = Time.CreateTimer(_ => _ = InvokeAsync(Refresh), null, TickInterval, TickInterval);
        }
    }

    private void Read() => _summary = SyncSummary.Of(Sync.GetAll(), Time.GetUtcNow());

    private void Refresh()
    {
        var before = _summary;
        Read();
        if (before is null || _summary is null || before.Label != _summary.Label || before.Tone != _summary.Tone || !before.Details.SequenceEqual(_summary.Details))
        {
            StateHasChanged();
        }
    }

    private static string Dot(SyncTone tone) => tone switch
    {
        SyncTone.Ok => "ok",
        SyncTone.Error => "error",
        _ => "pending",
    };

    public void Dispose()
    {
        _ticker?.Dispose();
        _subscription?.Dispose();
    }
}
