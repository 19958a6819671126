using System.Threading.Channels;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Results;
using BatchDashboard.Core.Sync;
using BatchDashboard.Core.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Capacity;

/// <summary>Keeps each running batch's input file counted in prompt tokens.</summary>
public interface IInputTokenCounting
{
    /// <summary>Keeps a count made while the file was checked (an upload), so it is never fetched again to count it.</summary>
    Task RecordAsync(string connectionId, string fileId, InputTokenCount count, CancellationToken cancellationToken);

    /// <summary>Counts now every running batch's input file that has no count yet; returns how many were counted.</summary>
    Task<int> CountPendingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The prompt tokens of a batch's input file, running or not: from the cache when counted, else counted now (from
    /// the results index's local copy, or the API) and kept. Null when the batch is not cached or its file cannot be read.
    /// </summary>
    Task<InputTokenCount?> CountBatchAsync(string connectionId, string batchId, CancellationToken cancellationToken);

    /// <summary>
    /// Told a connection's id when its files were counted (or found uncountable), for open pages to re-read: a few times
    /// a second at most, and once more when a pass of counting ends.
    /// </summary>
    IDisposable Subscribe(Func<string, Task> handler);
}

/// <summary>
/// Counts the input files of running batches in the background, one at a time, each once: from the results index's
/// local copy when there is one, else streamed from the API (the count is all that is kept). It wakes when the sync
/// brings new or changed batches, and every few minutes to try failed counts again. With several instances on one
/// PostgreSQL, only the one that syncs counts.
/// </summary>
internal sealed class InputTokenCountingService(
    CapacityStore store,
    IConnectionCatalog catalog,
    Queries.IBatchQueries queries,
    IBatchApiClientFactory clients,
    IResultQueries results,
    IBatchChangeNotifications changes,
    ISyncRole role,
    IOptions<CapacityOptions> options,
    TimeProvider timeProvider,
    ILogger<InputTokenCountingService> logger) : BackgroundService, IInputTokenCounting
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly Events.Notifier<string> _counted = new(logger);

    /// <summary>Files that fail fast (gone upstream) come by the hundred: pages hear of them a few times a second at most.</summary>
    private static readonly TimeSpan PublishEvery = TimeSpan.FromMilliseconds(250);
    private readonly Lock _publishing = new();
    private long _lastPublished;
    private string? _unpublished;

    public IDisposable Subscribe(Func<string, Task> handler) => _counted.Subscribe(handler);

    public async Task RecordAsync(string connectionId, string fileId, InputTokenCount count, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        await store.SaveAsync(new InputTokenRecord
        {
            ConnectionId = connectionId, FileId = fileId, Model = count.Model, Encoding = count.Encoding, Estimated = count.IsEstimate,
            Tokens = count.Tokens, Requests = count.Requests, CountedAt = now, AttemptedAt = now,
        }, cancellationToken);
        Publish(connectionId, force: true);
    }

    public async Task<int> CountPendingAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var retryBefore = (timeProvider.GetUtcNow() - options.Value.RetryCountAfter).ToUnixTimeSeconds();
            var counted = 0;
            foreach (var file in await store.GetUncountedAsync(retryBefore, cancellationToken))
            {
                if (await CountAsync(file, cancellationToken))
                {
                    counted++;
                }
            }

            PublishHeldBack();
            return counted;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public async Task<InputTokenCount?> CountBatchAsync(string connectionId, string batchId, CancellationToken cancellationToken)
    {
        if (await queries.GetAsync(batchId, connectionId, cancellationToken) is not { Batch.InputFileId: { } fileId })
        {
            return null;
        }

        if (await store.GetCountAsync(connectionId, fileId, cancellationToken) is not { Tokens: not null } known)
        {
            await CountAsync(new UncountedFile(connectionId, batchId, fileId), cancellationToken);
            PublishHeldBack();
            known = await store.GetCountAsync(connectionId, fileId, cancellationToken);
        }

        return known is { Tokens: { } tokens } ? new InputTokenCount(tokens, known.Requests, known.Model, known.Encoding, known.Estimated) : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = changes.Subscribe(change =>
        {
            if (change.ChangedBatchIds.Count > 0)
            {
                _wake.Writer.TryWrite(true);
            }

            return Task.CompletedTask;
        });

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (role.IsSyncing)
                {
                    await CountPendingAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failing cache must not end the counting for good: the next wake tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogError(ex, "Counting the prompt tokens of running batches failed");
            }

            using var recheck = new CancellationTokenSource(options.Value.RetryCountAfter, timeProvider);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, recheck.Token);
            try
            {
                await _wake.Reader.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // Time to try failed counts again.
            }
        }
    }

    private async Task<bool> CountAsync(UncountedFile file, CancellationToken cancellationToken)
    {
        if (catalog.Find(file.ConnectionId) is not { } connection)
        {
            return false;
        }

        using var activity = CoreTelemetry.Start("count input tokens", file.ConnectionId, file.BatchId);
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var record = new InputTokenRecord { ConnectionId = file.ConnectionId, FileId = file.FileId, Encoding = "", AttemptedAt = now };
        try
        {
            await using var content = await results.OpenLocalCopyAsync(file.ConnectionId, file.BatchId, ResultFileKind.Input, cancellationToken)
                ?? await clients.Create(connection).OpenFileContentAsync(file.FileId, cancellationToken);
            if (content is null)
            {
                record.Error = "The API no longer has this input file, and no copy of it was indexed: its tokens cannot be counted.";
            }
            else
            {
                var count = await InputTokenCount.CountAsync(content, cancellationToken);
                (record.Model, record.Encoding, record.Estimated, record.Tokens, record.Requests, record.CountedAt) =
                    (count.Model, count.Encoding, count.IsEstimate, count.Tokens, count.Requests, now);
                logger.LogInformation("Connection {Connection}: input file {FileId} of batch {BatchId} holds {Tokens} prompt tokens ({Encoding})",
                    file.ConnectionId, file.FileId, file.BatchId, count.Tokens, count.Encoding);
            }
        }
        catch (Exception ex) when (ex is BatchApiException or IOException)
        {
            var reason = ex is BatchApiException api ? api.Summary : ex.Message;
            logger.LogWarning("Connection {Connection}: counting the tokens of input file {FileId} of batch {BatchId} failed: {Error}",
                file.ConnectionId, file.FileId, file.BatchId, reason);
            record.Error = ex is BatchApiException { StatusCode: not null } ? $"The API answered: {reason}" : $"The file could not be read: {reason}";
        }

        await store.SaveAsync(record, cancellationToken);
        Publish(file.ConnectionId, force: false);
        return record.Tokens is not null;
    }

    private void Publish(string connectionId, bool force)
    {
        lock (_publishing)
        {
            if (!force && timeProvider.GetElapsedTime(_lastPublished) < PublishEvery)
            {
                _unpublished = connectionId;
                return;
            }

            (_lastPublished, _unpublished) = (timeProvider.GetTimestamp(), null);
        }

        _counted.Publish(connectionId);
    }

    /// <summary>A count held back by <see cref="PublishEvery"/> is told at the end of the work that made it.</summary>
    private void PublishHeldBack()
    {
        string? connectionId;
        lock (_publishing)
        {
            connectionId = _unpublished;
        }

        if (connectionId is not null)
        {
            Publish(connectionId, force: true);
        }
    }

    public override void Dispose()
    {
        _oneAtATime.Dispose();
        base.Dispose();
    }
}
