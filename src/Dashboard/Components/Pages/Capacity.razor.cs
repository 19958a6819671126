using BatchDashboard.Core.Capacity;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Model;
using Microsoft.AspNetCore.Components;

namespace BatchDashboard.Dashboard.Components.Pages;

/// <summary>
/// The capacity page (<see cref="CapacityViewModel"/>): each model's queue of prompt tokens against its limit. It
/// follows the cache (batches moving on) and the counting of input files, re-reading when either has news.
/// </summary>
public sealed partial class Capacity : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private IDisposable? _changes;
    private IDisposable? _counts;

    [Inject] private CapacityViewModel Model { get; set; } = default!;
    [Inject] private IBatchChangeNotifications Changes { get; set; } = default!;
    [Inject] private IInputTokenCounting Counting { get; set; } = default!;

    protected override void OnInitialized()
    {
        if (RendererInfo.IsInteractive)
        {
            _changes = Changes.Follow(_ => ReloadAsync());
            _counts = Counting.Subscribe(_ => ReloadAsync());
        }
    }

    protected override Task OnInitializedAsync() => Model.LoadAsync(_disposed.Token);

    private Task ReloadAsync() => InvokeAsync(async () =>
    {
        if (!_disposed.IsCancellationRequested)
        {
            await Model.LoadAsync(_disposed.Token);
            StateHasChanged();
        }
    });

    public void Dispose()
    {
        _changes?.Dispose();
        _counts?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
