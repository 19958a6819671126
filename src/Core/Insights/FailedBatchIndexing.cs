using System.Threading.Channels;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Results;
using BatchDashboard.Core.Sync;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Insights;

/// <summary>The <c>BatchDashboard:Insights</c> section.</summary>
public sealed class InsightOptions
{
    public const string SectionName = "BatchDashboard:Insights";

    /// <summary>
    /// When set, the files of every ended batch with failed requests created within this long are indexed in the
    /// background, so the insights' failures by error code cover them without anyone opening their pages. Off by
    /// default: indexing downloads a batch's input, output and error files. The demo sets 30 days.
    /// </summary>
    public TimeSpan? IndexFailedBatchesWithin { get; set; }
}

/// <summary>
/// Queues the indexing of ended batches with failures whose files are not indexed yet (<see cref="InsightOptions"/>),
/// when the sync brings changes, on the instance that syncs. The results index reads them one at a time and then
/// tells the rollups their error codes.
/// </summary>
internal sealed class FailedBatchIndexing(
    IDbContextFactory<BatchCacheDbContext> contextFactory,
    IResultIndexing indexing,
    IBatchChangeNotifications changes,
    ISyncRole role,
    IOptions<InsightOptions> options,
    TimeProvider timeProvider,
    ILogger<FailedBatchIndexing> logger) : BackgroundService
{
    /// <summary>Batches queued per pass at most; the next change queues the next ones.</summary>
    private const int PerPass = 50;

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.IndexFailedBatchesWithin is not { } within)
        {
            return;
        }

        using var subscription = changes.Subscribe(change =>
        {
            if (change.ChangedBatchIds.Count > 0)
            {
                _wake.Writer.TryWrite(true);
            }

            return Task.CompletedTask;
        });

        _wake.Writer.TryWrite(true);
        try
        {
            await foreach (var _ in _wake.Reader.ReadAllAsync(stoppingToken))
            {
                if (!role.IsSyncing)
                {
                    continue;
                }

                try
                {
                    foreach (var (connectionId, batchId) in await FindAsync(timeProvider.GetUtcNow() - within, stoppingToken))
                    {
                        indexing.Request(connectionId, batchId);
                    }
                }
                catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException)
                {
                    logger.LogWarning(ex, "Finding the failed batches to index failed; the next change tries again");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<List<(string ConnectionId, string BatchId)>> FindAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var sinceSeconds = since.ToUnixTimeSeconds();
        return await context.Batches.AsNoTracking()
            .Where(b => b.IsTerminal && b.RequestFailed > 0 && b.ErrorFileId != null && b.CreatedAt >= sinceSeconds
                && !context.ResultFiles.Any(f => f.BatchKey == b.Key && f.Kind == "error"))
            .OrderByDescending(b => b.CreatedAt)
            .Take(PerPass)
            .Select(b => new ValueTuple<string, string>(b.ConnectionId, b.Id))
            .ToListAsync(cancellationToken);
    }
}
