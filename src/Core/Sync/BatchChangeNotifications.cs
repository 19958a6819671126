using BatchDashboard.Core.Events;
using Microsoft.Extensions.Logging;

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
    /// <summary>Every change as it happens.</summary>
    IDisposable Subscribe(Func<CacheChange, Task> handler);

    /// <summary>
    /// How a page follows the cache: the changes merged and handed over at most every
    /// <see cref="BatchChangeNotifier.FollowInterval"/>, one run at a time, each run with all that arrived since the
    /// last began. Dispose it with the page.
    /// </summary>
    IDisposable Follow(Func<CacheChanges, Task> handler);
}

internal sealed class BatchChangeNotifier(ILogger<BatchChangeNotifier> logger, TimeProvider? time = null) : IBatchChangeNotifications
{
    /// <summary>The least time between two updates of a page: a few a second, well inside the live-update target.</summary>
    public static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(250);

    private readonly Notifier<CacheChange> _notifier = new(logger);

    public IDisposable Subscribe(Func<CacheChange, Task> handler) => _notifier.Subscribe(handler);

    public IDisposable Follow(Func<CacheChanges, Task> handler) =>
        new CacheChangeSubscription(this, handler, FollowInterval, time ?? TimeProvider.System, logger);

    public Task PublishAsync(CacheChange change)
    {
        _notifier.Publish(change);
        return Task.CompletedTask;
    }
}
