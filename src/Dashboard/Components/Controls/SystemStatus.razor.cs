using BatchDashboard.Core.Cache;
using Microsoft.AspNetCore.Components;

namespace BatchDashboard.Dashboard.Components.Controls;

public sealed partial class SystemStatus : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private CacheStatus? _status;
    private bool _checking;

    [Inject]
    private IBatchCacheDatabase Database { get; set; } = default!;

    protected override async Task OnInitializedAsync() => _status = await Database.CheckAsync(_disposed.Token);

    private async Task CheckNowAsync()
    {
        _checking = true;
        try
        {
            _status = await Database.CheckAsync(_disposed.Token);
        }
        finally
        {
            _checking = false;
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
