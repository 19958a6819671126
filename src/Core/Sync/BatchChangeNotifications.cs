namespace BatchDashboard.Core.Sync;

/// <summary>What changed in the cache: batches of one connection, and whether its sync state moved.</summary>
public sealed record CacheChange(string ConnectionId, IReadOnlyList<string> ChangedBatchIds, IReadOnlyList<string> AddedBatchIds, bool SyncStateChanged);

/// <summary>
/// Tells subscribers (open pages) when the cache changed, so they re-read what they show. Each handler runs on the
/// sync's thread until its first await; the sync never waits for the rest, so a slow page cannot hold it up, and a
/// failing handler is logged without stopping the sync or the other subscribers.
/// </summary>
public interface IBatchChangeNotifications
{
    IDisposable Subscribe(Func<CacheChange, Task> handler);
}

internal sealed class BatchChangeNotifier(Microsoft.Extensions.Logging.ILogger<BatchChangeNotifier> logger) : IBatchChangeNotifications
{
    private readonly Lock _gate = new();
    private Func<CacheChange, Task>[] _handlers = [];

    public IDisposable Subscribe(Func<CacheChange, Task> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }

        return new Subscription(this, handler);
    }

    public Task PublishAsync(CacheChange change)
    {
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                var running = handler(change);
                if (!running.IsCompletedSuccessfully)
                {
                    _ = ObserveAsync(running);
                }
            }
#pragma warning disable CA1031 // A subscriber's failure must not reach the sync.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogFailure(ex);
            }
        }

        return Task.CompletedTask;
    }

    private async Task ObserveAsync(Task running)
    {
        try
        {
            await running;
        }
#pragma warning disable CA1031 // A subscriber's failure must not reach the sync.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailure(ex);
        }
    }

    private void LogFailure(Exception ex) =>
        Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(logger, ex, "A cache change subscriber failed");

    private void Unsubscribe(Func<CacheChange, Task> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers.Where(h => h != handler)];
        }
    }

    private sealed class Subscription(BatchChangeNotifier owner, Func<CacheChange, Task> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(handler);
            }
        }
    }
}
