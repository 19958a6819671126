using BatchDashboard.Core.Api;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using Microsoft.Extensions.Logging;

namespace BatchDashboard.Core.Sync;

/// <summary>What one cycle did, for logs and for the tests that count API calls.</summary>
internal sealed record CycleReport(int ApiCalls, int Changed, int Added, bool HasActiveBatches);

/// <summary>
/// Keeps one connection's batches in the cache with as few API calls as the list allows.
/// <list type="bullet">
/// <item>First import: pages through everything, saving the cursor after each page so a crash resumes there.</item>
/// <item>Each cycle: reads head pages until one holds a batch the cache already had (so every new batch has been
/// seen), then refreshes the still-running batches it has not seen, by paging on or by one GET each, whichever is
/// fewer calls. Finished batches are never fetched again.</item>
/// </list>
/// </summary>
internal sealed class ConnectionSyncer(
    IBatchApiClient client,
    BatchStore store,
    BatchChangeNotifier notifier,
    SyncStatusBoard board,
    SyncOptions options,
    TimeProvider timeProvider,
    ILogger logger)
{
    private ApiConnection Connection => client.Connection;

    public async Task<CycleReport> RunCycleAsync(CancellationToken cancellationToken)
    {
        var state = await store.GetSyncStateAsync(Connection.Id, cancellationToken);
        state.LastAttemptAt = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        try
        {
            var report = state.InitialImportComplete
                ? await PollAsync(cancellationToken)
                : await ImportAsync(state, cancellationToken);
            state.LastSuccessAt = timeProvider.GetUtcNow().ToUnixTimeSeconds();
            state.LastError = null;
            await store.SaveSyncStateAsync(state, cancellationToken);
            board.Succeeded(Connection, DateTimeOffset.FromUnixTimeSeconds(state.LastSuccessAt.Value));
            await notifier.PublishAsync(new CacheChange(Connection.Id, [], [], SyncStateChanged: true));
            return report;
        }
        catch (BatchApiException ex)
        {
            state.LastError = ex.Summary;
            await store.SaveSyncStateAsync(state, CancellationToken.None);
            board.Failed(Connection, ex.Summary, ex.Kind == ApiFailureKind.Unauthorized);
            await notifier.PublishAsync(new CacheChange(Connection.Id, [], [], SyncStateChanged: true));
            throw;
        }
    }

    private async Task<CycleReport> ImportAsync(SyncStateRecord state, CancellationToken cancellationToken)
    {
        var calls = 0;
        var changed = 0;
        var added = 0;
        board.Importing(Connection, 0);
        var imported = 0;
        while (true)
        {
            var page = await client.ListBatchesAsync(state.ImportCursor, options.PageSize, cancellationToken);
            calls++;
            var result = await StoreAsync(page, cancellationToken);
            changed += result.Changed.Count;
            added += result.Added.Count;
            imported += page.Batches.Count;

            var next = page.NextCursor;
            var done = !page.HasMore || page.Batches.Count == 0 || next is null || next == state.ImportCursor;
            state.ImportCursor = done ? null : next;
            state.InitialImportComplete = done;
            await store.SaveSyncStateAsync(state, cancellationToken);
            board.Importing(Connection, imported);
            if (done)
            {
                logger.LogInformation("Connection {Connection}: first import complete, {Count} batches in {Calls} calls", Connection.Id, imported, calls);
                var active = await store.GetActiveAsync(Connection.Id, cancellationToken);
                return new CycleReport(calls, changed, added, active.Count > 0);
            }
        }
    }

    private async Task<CycleReport> PollAsync(CancellationToken cancellationToken)
    {
        var calls = 0;
        var changed = 0;
        var added = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);

        // 1. Head pages until one holds a batch the cache already had: every newer batch has then been seen.
        string? after = null;
        var hasMore = true;
        var pagesRead = 0;
        while (hasMore)
        {
            var page = await client.ListBatchesAsync(after, options.PageSize, cancellationToken);
            calls++;
            pagesRead++;
            var known = await store.GetTerminalFlagsAsync(Connection.Id, [.. page.Batches.Select(b => b.Id)], cancellationToken);
            var result = await StoreAsync(page, cancellationToken);
            changed += result.Changed.Count;
            added += result.Added.Count;
            seen.UnionWith(page.Batches.Select(b => b.Id));
            hasMore = page.HasMore && page.Batches.Count > 0 && page.NextCursor is not null;
            after = page.NextCursor;
            if (known.Count > 0)
            {
                break;
            }
        }

        // 2. Running batches not on those pages: page on, or one GET each, whichever costs fewer calls.
        var remaining = (await store.GetActiveAsync(Connection.Id, cancellationToken)).Where(b => !seen.Contains(b.Id)).ToList();
        if (remaining.Count > 0 && hasMore)
        {
            var oldest = remaining.Min(b => b.CreatedAt);
            var depth = await store.CountAtLeastAsNewAsync(Connection.Id, oldest, cancellationToken);
            var pagesNeeded = (int)Math.Ceiling(Math.Max(0, depth - (pagesRead * options.PageSize)) / (double)options.PageSize);
            if (pagesNeeded < remaining.Count)
            {
                // The estimate comes from the cache; allow one page of slack for batches it has not seen yet.
                for (var i = 0; i <= pagesNeeded && hasMore && remaining.Exists(b => !seen.Contains(b.Id)); i++)
                {
                    var page = await client.ListBatchesAsync(after, options.PageSize, cancellationToken);
                    calls++;
                    var result = await StoreAsync(page, cancellationToken);
                    changed += result.Changed.Count;
                    added += result.Added.Count;
                    seen.UnionWith(page.Batches.Select(b => b.Id));
                    hasMore = page.HasMore && page.Batches.Count > 0 && page.NextCursor is not null;
                    after = page.NextCursor;
                }

                remaining.RemoveAll(b => seen.Contains(b.Id));
            }
        }

        foreach (var active in remaining)
        {
            var batch = await client.GetBatchAsync(active.Id, cancellationToken);
            calls++;
            if (batch is null)
            {
                logger.LogWarning("Connection {Connection}: batch {BatchId} is cached as running but the API no longer knows it; keeping it as cached",
                    Connection.Id, active.Id);
                continue;
            }

            var result = await StoreAsync([batch], cancellationToken);
            changed += result.Changed.Count;
        }

        var stillActive = await store.GetActiveAsync(Connection.Id, cancellationToken);
        logger.LogDebug("Connection {Connection}: cycle made {Calls} calls, {Changed} changed, {Added} new", Connection.Id, calls, changed, added);
        return new CycleReport(calls, changed, added, stillActive.Count > 0);
    }

    public async Task<Batch?> RefreshAsync(string batchId, CancellationToken cancellationToken)
    {
        var batch = await client.GetBatchAsync(batchId, cancellationToken);
        if (batch is not null)
        {
            await StoreAsync([batch], cancellationToken);
        }

        return batch;
    }

    public async Task<Batch?> CancelAsync(string batchId, CancellationToken cancellationToken)
    {
        var batch = await client.CancelBatchAsync(batchId, cancellationToken);
        if (batch is not null)
        {
            await StoreAsync([batch], cancellationToken);
        }

        return batch;
    }

    private Task<StoreResult> StoreAsync(BatchPage page, CancellationToken cancellationToken) => StoreAsync(page.Batches, cancellationToken);

    private async Task<StoreResult> StoreAsync(IReadOnlyList<Batch> batches, CancellationToken cancellationToken)
    {
        var result = await store.UpsertAsync(Connection.Id, batches, cancellationToken);
        foreach (var id in result.Stale)
        {
            logger.LogDebug("Connection {Connection}: ignored a stale answer for batch {BatchId}", Connection.Id, id);
        }

        if (result.Changed.Count > 0)
        {
            await notifier.PublishAsync(new CacheChange(Connection.Id, result.Changed, result.Added, SyncStateChanged: false));
        }

        return result;
    }
}
