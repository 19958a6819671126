using BatchDashboard.Core.Events;

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
    private readonly Notifier<CacheChange> _notifier = new(logger);

    public IDisposable Subscribe(Func<CacheChange, Task> handler) => _notifier.Subscribe(handler);

    public Task PublishAsync(CacheChange change)
    {
        _notifier.Publish(change);
        return Task.CompletedTask;
    }
}
