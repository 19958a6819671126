using BatchDashboard.Core.Api;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Telemetry;
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
    /// <summary>The connection's API client, for what it sends beside the sync (a new batch).</summary>
    public IBatchApiClient Client => client;

    private ApiConnection Connection => client.Connection;

    public async Task<CycleReport> RunCycleAsync(CancellationToken cancellationToken)
    {
        // A span with the cycle's API calls as its children (HttpClient's own spans), and its duration by outcome.
        using var activity = CoreTelemetry.Start("sync cycle", Connection.Id);
        var started = timeProvider.GetTimestamp();
        var outcome = "failure";
        try
        {
            var report = await RunCycleCoreAsync(cancellationToken);
            outcome = "success";
            activity?.SetTag("batch_dashboard.api_calls", report.ApiCalls).SetTag("batch_dashboard.changed", report.Changed);
            return report;
        }
        catch (BatchApiException ex)
        {
            CoreTelemetry.Fail(activity, ex.Summary);
            throw;
        }
        finally
        {
            CoreTelemetry.SyncCycleDuration.Record(timeProvider.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("connection", Connection.Id), new KeyValuePair<string, object?>("outcome", outcome));
            if (CoreTelemetry.BatchesObserved)
            {
                await RecordCountsAsync();
            }
        }
    }

    /// <summary>The batch counts for the telemetry's gauges; a cache that cannot answer leaves the last ones, and the cycle's own outcome stands.</summary>
    private async Task RecordCountsAsync()
    {
        try
        {
            var (byStatus, inFlight) = await store.CountAsync(Connection.Id, CancellationToken.None);
            CoreTelemetry.RecordCounts(Connection.Id, byStatus, inFlight);
        }
        catch (System.Data.Common.DbException ex)
        {
            logger.LogDebug(ex, "Connection {Connection}: the batch counts for telemetry could not be read", Connection.Id);
        }
    }

    private async Task<CycleReport> RunCycleCoreAsync(CancellationToken cancellationToken)
    {
        var state = await store.GetSyncStateAsync(Connection.Id, cancellationToken);
        state.LastAttemptAt = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        try
        {
            var report = state.InitialImportComplete
                ? await PollAsync(state, cancellationToken)
                : await ImportAsync(state, cancellationToken);
            if (state.InitialImportComplete && !state.SearchIndexed)
            {
                // One pass after the first import (or after a crash cut it short); later writes keep them current.
                await store.FinishFirstImportAsync(Connection.Id, cancellationToken);
                state.SearchIndexed = true;
            }

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
        var cycle = new Cycle();
        board.Importing(Connection, 0);
        if (state.ImportCursor is null)
        {
            await store.StartFirstImportAsync(cancellationToken);
        }

        var imported = 0;
        while (true)
        {
            var fromTop = state.ImportCursor is null;
            var page = await ReadPageAsync(cycle, state.ImportCursor, cancellationToken);
            if (fromTop)
            {
                // Batches created while the import pages on are newer than this one: the first poll looks for them.
                MarkHead(state, page);
            }

            imported += page.Batches.Count;
            var done = !page.HasMore || page.Batches.Count == 0 || page.NextCursor is null || page.NextCursor == state.ImportCursor;
            state.ImportCursor = done ? null : page.NextCursor;
            state.InitialImportComplete = done;
            await store.SaveSyncStateAsync(state, cancellationToken);
            board.Importing(Connection, imported);
            if (done)
            {
                logger.LogInformation("Connection {Connection}: first import complete, {Count} batches in {Calls} calls", Connection.Id, imported, cycle.Calls);
                return await cycle.ReportAsync(store, Connection.Id, cancellationToken);
            }
        }
    }

    private async Task<CycleReport> PollAsync(SyncStateRecord state, CancellationToken cancellationToken)
    {
        var cycle = new Cycle();

        // 1. Head pages until one holds the newest batch the last whole scan saw, or an older one: every newer batch
        // has then been seen. The mark moves only when a scan gets there, so a scan cut short is redone from the top.
        BatchPage? newest = null;
        do
        {
            var page = await ReadPageAsync(cycle, cycle.After, cancellationToken, state);
            newest ??= page;
        }
        while (!cycle.ReachedKnown && cycle.HasMore);

        MarkHead(state, newest);

        // 2. Running batches not on those pages: page on, or one GET each, whichever costs fewer calls.
        var remaining = (await store.GetActiveAsync(Connection.Id, cancellationToken)).Where(b => !cycle.Seen.Contains(b.Id)).ToList();
        if (remaining.Count > 0 && cycle.HasMore)
        {
            var oldest = remaining.Min(b => b.CreatedAt);
            var depth = await store.CountAtLeastAsNewAsync(Connection.Id, oldest, cancellationToken);
            var pagesNeeded = (int)Math.Ceiling(Math.Max(0, depth - (cycle.Calls * options.PageSize)) / (double)options.PageSize);
            if (pagesNeeded < remaining.Count)
            {
                // The estimate comes from the cache; allow one page of slack for batches it has not seen yet.
                for (var i = 0; i <= pagesNeeded && cycle.HasMore && remaining.Exists(b => !cycle.Seen.Contains(b.Id)); i++)
                {
                    await ReadPageAsync(cycle, cycle.After, cancellationToken);
                }

                remaining.RemoveAll(b => cycle.Seen.Contains(b.Id));
            }
        }

        foreach (var active in remaining)
        {
            var batch = await client.GetBatchAsync(active.Id, cancellationToken);
            cycle.Calls++;
            if (batch is null)
            {
                logger.LogWarning("Connection {Connection}: batch {BatchId} is cached as running but the API no longer knows it; keeping it as cached",
                    Connection.Id, active.Id);
                continue;
            }

            cycle.Count(await StoreAsync([batch], cancellationToken));
        }

        logger.LogDebug("Connection {Connection}: cycle made {Calls} calls, {Changed} changed, {Added} new", Connection.Id, cycle.Calls, cycle.Changed, cycle.Added);
        return await cycle.ReportAsync(store, Connection.Id, cancellationToken);
    }

    /// <summary>Reads one list page, stores it and counts it; with a <paramref name="head"/> state, notes whether it reached the head mark.</summary>
    private async Task<BatchPage> ReadPageAsync(Cycle cycle, string? after, CancellationToken cancellationToken, SyncStateRecord? head = null)
    {
        var page = await client.ListBatchesAsync(after, options.PageSize, cancellationToken);
        cycle.Calls++;
        if (head is not null)
        {
            cycle.ReachedKnown = head.HeadMarkId is { } markId
                ? page.Batches.Any(b => b.Id == markId || (head.HeadMarkCreatedAt is { } markCreated && b.CreatedAt?.ToUnixTimeSeconds() < markCreated))
                // A cache from before head marks: the old rule, once; this scan sets the mark.
                : await store.CountCachedAsync(Connection.Id, [.. page.Batches.Select(b => b.Id)], cancellationToken) > 0;
        }

        cycle.Count(await StoreAsync(page.Batches, cancellationToken));
        cycle.Seen.UnionWith(page.Batches.Select(b => b.Id));
        cycle.HasMore = page.HasMore && page.Batches.Count > 0 && page.NextCursor is not null;
        cycle.After = page.NextCursor;
        return page;
    }

    /// <summary>The newest batch on the list's first page becomes the mark the next head scan reads down to.</summary>
    private static void MarkHead(SyncStateRecord state, BatchPage? newest)
    {
        if (newest is { Batches: [var first, ..] })
        {
            state.HeadMarkId = first.Id;
            state.HeadMarkCreatedAt = first.CreatedAt?.ToUnixTimeSeconds();
        }
    }

    /// <summary>What one cycle has done so far.</summary>
    private sealed class Cycle
    {
        public int Calls { get; set; }
        public int Changed { get; private set; }
        public int Added { get; private set; }
        public HashSet<string> Seen { get; } = new(StringComparer.Ordinal);
        public string? After { get; set; }
        public bool HasMore { get; set; } = true;
        public bool ReachedKnown { get; set; }

        public void Count(StoreResult result)
        {
            Changed += result.Changed.Count;
            Added += result.Added.Count;
        }

        public async Task<CycleReport> ReportAsync(BatchStore store, string connectionId, CancellationToken cancellationToken)
        {
            var active = await store.GetActiveAsync(connectionId, cancellationToken);
            return new CycleReport(Calls, Changed, Added, active.Count > 0);
        }
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

    /// <summary>Stores what the API answered outside a cycle (a batch just created), so open pages show it at once.</summary>
    public Task RecordAsync(Batch batch, CancellationToken cancellationToken) => StoreAsync([batch], cancellationToken);

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
