using BatchDashboard.Core.Events;
using System.Collections.Concurrent;
using System.Threading.Channels;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Queries;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BatchDashboard.Core.Results;

/// <summary>Indexes batches' files, in the background for pages, or now for callers that wait.</summary>
public interface IResultIndexing
{
    /// <summary>Queues the batch's files for indexing; nothing happens when they are queued, being read, or done.</summary>
    void Request(string connectionId, string batchId);

    /// <summary>Reads every file of the batch not yet indexed, and returns where each stands.</summary>
    Task<IReadOnlyList<ResultFileStatus>> IndexAsync(string connectionId, string batchId, CancellationToken cancellationToken);

    /// <summary>The files' state while the batch is being indexed; null otherwise.</summary>
    ResultIndexProgress? GetProgress(string connectionId, string batchId);

    /// <summary>Told of every step of every batch's indexing, a few times a second at most.</summary>
    IDisposable Subscribe(Func<ResultIndexProgress, Task> handler);
}

internal sealed class ResultIndexService(
    IConnectionCatalog catalog,
    IBatchApiClientFactory clients,
    IBatchQueries queries,
    ResultStore store,
    ResultIndexer indexer,
    ResultFilesLocation files,
    InsightRollups insights,
    TimeProvider timeProvider,
    ILogger<ResultIndexService> logger) : BackgroundService, IResultIndexing
{
    private static readonly TimeSpan PublishEvery = TimeSpan.FromMilliseconds(250);

    private readonly Channel<(string ConnectionId, string BatchId)> _queue = Channel.CreateUnbounded<(string, string)>();
    private readonly ConcurrentDictionary<(string, string), bool> _queued = new();
    private readonly ConcurrentDictionary<(string, string), ResultIndexProgress> _running = new();
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly Notifier<ResultIndexProgress> _notifier = new(logger);
    /// <summary>The local copies' folder (see <see cref="ResultFilesLocation"/>).</summary>
    public string Folder => files.Folder;

    public void Request(string connectionId, string batchId)
    {
        if (_queued.TryAdd((connectionId, batchId), true))
        {
            _queue.Writer.TryWrite((connectionId, batchId));
        }
    }

    public ResultIndexProgress? GetProgress(string connectionId, string batchId) =>
        _running.TryGetValue((connectionId, batchId), out var progress) ? progress : null;

    public IDisposable Subscribe(Func<ResultIndexProgress, Task> handler) => _notifier.Subscribe(handler);

    public async Task<IReadOnlyList<ResultFileStatus>> IndexAsync(string connectionId, string batchId, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            return await IndexOneAsync(connectionId, batchId, cancellationToken);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (connectionId, batchId) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await IndexAsync(connectionId, batchId, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // One batch's failure must not stop the indexing of the others.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogError(ex, "Indexing the files of batch {BatchId} ({Connection}) failed", batchId, connectionId);
            }
            finally
            {
                _queued.TryRemove((connectionId, batchId), out _);
            }
        }
    }

    private async Task<IReadOnlyList<ResultFileStatus>> IndexOneAsync(string connectionId, string batchId, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.CoreTelemetry.Start("index results", connectionId, batchId);
        var cached = await queries.GetAsync(batchId, connectionId, cancellationToken);
        var batchKey = await store.BatchKeyAsync(connectionId, batchId, cancellationToken);
        if (cached is null || batchKey is not { } key)
        {
            return [];
        }

        var connection = catalog.Find(connectionId);
        var files = new (ResultFileKind Kind, string? Id)[]
        {
            (ResultFileKind.Input, cached.Batch.InputFileId), (ResultFileKind.Output, cached.Batch.OutputFileId), (ResultFileKind.Error, cached.Batch.ErrorFileId),
        };
        var records = (await store.GetFilesAsync(key, cancellationToken)).ToDictionary(f => ResultStore.KindOf(f.Kind));
        var statuses = records.ToDictionary(r => r.Key, r => Status(r.Value));
        if (connection is null)
        {
            return [.. statuses.Values];
        }

        var client = clients.Create(connection);
        var lastPublished = DateTimeOffset.MinValue;
        void Publish(ResultFileRecord file, bool force)
        {
            statuses[ResultStore.KindOf(file.Kind)] = Status(file);
            var now = timeProvider.GetUtcNow();
            var progress = new ResultIndexProgress(connectionId, batchId, [.. statuses.Values.OrderBy(s => s.Kind)], Running: true);
            _running[(connectionId, batchId)] = progress;
            if (force || now - lastPublished >= PublishEvery)
            {
                lastPublished = now;
                _notifier.Publish(progress);
            }
        }

        try
        {
            foreach (var (kind, fileId) in files)
            {
                if (fileId is null)
                {
                    continue;
                }

                var previousState = (string?)null;
                await indexer.IndexAsync(client, Folder, key, kind, fileId, records.GetValueOrDefault(kind), file =>
                {
                    Publish(file, force: file.State != previousState);
                    previousState = file.State;
                }, cancellationToken);
            }

            // The failures by error code the insights count, from what is indexed now.
            await insights.RecordErrorsAsync(key, cancellationToken);
        }
        finally
        {
            _running.TryRemove((connectionId, batchId), out _);
            _notifier.Publish(new ResultIndexProgress(connectionId, batchId, [.. statuses.Values.OrderBy(s => s.Kind)], Running: false));
        }

        return [.. statuses.Values.OrderBy(s => s.Kind)];
    }

    internal ResultFileStatus Status(ResultFileRecord file) => new(
        ResultStore.KindOf(file.Kind),
        file.FileId,
        ResultStore.StateOf(file.State),
        file.BytesTotal,
        file.BytesRead,
        file.Lines,
        file.MalformedLines,
        file.Error,
        file.IndexedAt is { } at ? DateTimeOffset.FromUnixTimeSeconds(at) : null,
        file.LocalPath is not null && File.Exists(Path.Combine(Folder, file.LocalPath)),
        file.ExpiredUpstream,
        file.UpstreamExpiresAt is { } expires ? DateTimeOffset.FromUnixTimeSeconds(expires) : null);

    public override void Dispose()
    {
        _oneAtATime.Dispose();
        base.Dispose();
    }
}
