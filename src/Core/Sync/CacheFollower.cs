using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using Microsoft.EntityFrameworkCore;

namespace BatchDashboard.Core.Sync;

/// <summary>
/// On an instance that does not hold the sync lease: reads what the leader wrote to the shared database and tells
/// this instance's pages, as its own sync would have (the batches that changed, and the sync state of each
/// connection), so every instance serves live pages. One indexed range read of <c>batches.updated_at</c> per poll.
/// </summary>
internal sealed class CacheFollower(
    IDbContextFactory<BatchCacheDbContext> contexts,
    IConnectionCatalog catalog,
    BatchChangeNotifier notifier,
    SyncStatusBoard board,
    CacheGeneration generation)
{
    private readonly HashSet<(string ConnectionId, string Id)> _seenAtMark = [];
    private readonly Dictionary<string, (long? Success, long? Attempt, string? Error, bool Imported)> _states = new(StringComparer.Ordinal);
    private long? _mark;

    /// <summary>Publishes the changes since the last poll (none on the first: pages read the cache when they open).</summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await PollBatchesAsync(context, cancellationToken);
        await PollSyncStatesAsync(context, cancellationToken);
    }

    /// <summary>Forgets where it was: after leading, this instance's own sync told its pages everything.</summary>
    public void Reset()
    {
        _mark = null;
        _seenAtMark.Clear();
    }

    private async Task PollBatchesAsync(BatchCacheDbContext context, CancellationToken cancellationToken)
    {
        if (_mark is not { } mark)
        {
            _mark = await context.Batches.MaxAsync(b => (long?)b.UpdatedAt, cancellationToken) ?? 0;
            var atMark = await context.Batches.AsNoTracking().Where(b => b.UpdatedAt == _mark)
                .Select(b => new { b.ConnectionId, b.Id }).ToListAsync(cancellationToken);
            _seenAtMark.UnionWith(atMark.Select(b => (b.ConnectionId, b.Id!)));
            // What this instance read before now (a page's kept counts) may predate another's writes: read afresh.
            generation.Advance();
            return;
        }

        // Timestamps are whole seconds: read the mark's second again, and skip the rows already told.
        var rows = await context.Batches.AsNoTracking().Where(b => b.UpdatedAt >= mark)
            .OrderBy(b => b.UpdatedAt).Take(10_000)
            .Select(b => new { b.ConnectionId, b.Id, b.UpdatedAt, b.FirstSeenAt })
            .ToListAsync(cancellationToken);
        var fresh = rows.Where(r => r.UpdatedAt > mark || !_seenAtMark.Contains((r.ConnectionId, r.Id!))).ToList();
        if (rows.Count > 0 && rows[^1].UpdatedAt > mark)
        {
            _mark = rows[^1].UpdatedAt;
            _seenAtMark.Clear();
        }

        _seenAtMark.UnionWith(rows.Where(r => r.UpdatedAt == _mark).Select(r => (r.ConnectionId, r.Id!)));
        if (fresh.Count > 0)
        {
            generation.Advance();
        }

        foreach (var connection in fresh.GroupBy(r => r.ConnectionId, StringComparer.Ordinal))
        {
            await notifier.PublishAsync(new CacheChange(
                connection.Key,
                [.. connection.Select(r => r.Id!)],
                [.. connection.Where(r => r.FirstSeenAt == r.UpdatedAt).Select(r => r.Id!)],
                SyncStateChanged: false));
        }
    }

    private async Task PollSyncStatesAsync(BatchCacheDbContext context, CancellationToken cancellationToken)
    {
        var states = await context.SyncStates.AsNoTracking().ToListAsync(cancellationToken);
        foreach (var state in states)
        {
            if (catalog.Find(state.ConnectionId) is not { } connection)
            {
                continue;
            }

            var now = (state.LastSuccessAt, state.LastAttemptAt, state.LastError, state.InitialImportComplete);
            if (_states.TryGetValue(state.ConnectionId, out var before) && before == now)
            {
                continue;
            }

            _states[state.ConnectionId] = now;
            if (state.LastError is { } error)
            {
                board.Failed(connection, error, unauthorized: false);
            }
            else if (!state.InitialImportComplete)
            {
                board.Importing(connection, await context.Batches.CountAsync(b => b.ConnectionId == state.ConnectionId, cancellationToken));
            }
            else if (state.LastSuccessAt is { } success)
            {
                board.Succeeded(connection, DateTimeOffset.FromUnixTimeSeconds(success));
            }

            await notifier.PublishAsync(new CacheChange(connection.Id, [], [], SyncStateChanged: true));
        }
    }
}
