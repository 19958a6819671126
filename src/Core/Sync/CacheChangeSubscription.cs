using Microsoft.Extensions.Logging;

namespace BatchDashboard.Core.Sync;

/// <summary>What changed in the cache since a subscriber last ran: every change that arrived meanwhile, merged.</summary>
public sealed class CacheChanges
{
    private readonly HashSet<(string Connection, string Batch)> _batches = [];
    private readonly HashSet<string> _batchIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _syncStates = new(StringComparer.Ordinal);

    /// <summary>The ids of the batches changed or added, in any connection (the list marks these rows).</summary>
    public IReadOnlySet<string> BatchIds => _batchIds;

    public bool HasBatches => _batchIds.Count > 0;

    /// <summary>Whether this batch of this connection changed or was added.</summary>
    public bool Touches(string connectionId, string batchId) => _batches.Contains((connectionId, batchId));

    /// <summary>Whether a connection's sync state moved (any connection's, when none is named).</summary>
    public bool SyncStateChanged(string? connectionId = null) => connectionId is null ? _syncStates.Count > 0 : _syncStates.Contains(connectionId);

    internal void Add(CacheChange change)
    {
        foreach (var id in change.ChangedBatchIds.Concat(change.AddedBatchIds))
        {
            _batches.Add((change.ConnectionId, id));
            _batchIds.Add(id);
        }

        if (change.SyncStateChanged)
        {
            _syncStates.Add(change.ConnectionId);
        }
    }
}

/// <summary>
/// The one way a page follows the cache (<see cref="IBatchChangeNotifications.Follow"/>): changes are merged and
/// handed to it at most once per interval, one run at a time, each run with everything that arrived since the last
/// one began (a first import changes hundreds of batches a second; an open page re-reads a few times a second at
/// most). A failing run is logged and never stops the next.
/// </summary>
internal sealed class CacheChangeSubscription : IDisposable
{
    private readonly Func<CacheChanges, Task> _handler;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IDisposable _subscription;
    private readonly Lock _gate = new();
    private CacheChanges? _pending;
    private bool _running;
    private long _lastStart = long.MinValue;
    private ITimer? _timer;
    private bool _disposed;

    /// <param name="interval">The least time between the starts of two runs.</param>
    public CacheChangeSubscription(IBatchChangeNotifications notifications, Func<CacheChanges, Task> handler, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        (_handler, _interval, _time, _logger) = (handler, interval, time, logger);
        _subscription = notifications.Subscribe(OnChange);
    }

    private Task OnChange(CacheChange change)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return Task.CompletedTask;
            }

            (_pending ??= new CacheChanges()).Add(change);
            if (_running || _timer is not null)
            {
                return Task.CompletedTask; // the run in progress, or the one scheduled, takes it
            }

            if (UntilNextRun() > TimeSpan.Zero)
            {
                _timer = ScheduleRun();
                return Task.CompletedTask;
            }

            _running = true;
        }

        return RunLoopAsync();
    }

    private Task RunAsync()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
            if (_disposed || _running || _pending is null)
            {
                return Task.CompletedTask;
            }

            _running = true;
        }

        return RunLoopAsync();
    }

    /// <summary>Runs the handler with what is pending; then again, after the interval, if more arrived meanwhile.</summary>
    private async Task RunLoopAsync()
    {
        CacheChanges changes;
        lock (_gate)
        {
            changes = _pending!;
            _pending = null;
            _lastStart = _time.GetTimestamp();
        }

        try
        {
            await _handler(changes);
        }
#pragma warning disable CA1031 // A page's failure must not stop its later updates, nor reach the sync.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogWarning(ex, "A page following the cache failed to update");
        }
        finally
        {
            lock (_gate)
            {
                _running = false;
                if (!_disposed && _pending is not null && _timer is null)
                {
                    _timer = ScheduleRun();
                }
            }
        }
    }

    /// <summary>How long until a run may start: the rest of the interval since the last one began.</summary>
    private TimeSpan UntilNextRun() =>
        _lastStart == long.MinValue ? TimeSpan.Zero : _interval - _time.GetElapsedTime(_lastStart);

    private ITimer ScheduleRun()
    {
        var wait = UntilNextRun();
        return _time.CreateTimer(_ => _ = RunAsync(), null, wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
            _pending = null;
        }

        _subscription.Dispose();
    }
}
