using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Connections;
using BatchDashboard.Tokens;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Capacity;

/// <summary>A running batch's hold on its model's queue.</summary>
/// <param name="Tokens">Its input file's prompt tokens; null until counted (or when counting failed: <see cref="CountError"/>).</param>
/// <param name="QueuedTokens">The share of <see cref="Tokens"/> its counts say is still to run.</param>
/// <param name="EstimatedEnd">When it would finish at its average pace so far; null while that is unknown (validating).</param>
/// <param name="Estimated">Counted with o200k because its model's tokenizer is not known.</param>
public sealed record QueuedBatch(string BatchId, BatchStatus Status, long? Tokens, long? QueuedTokens, int Requests, int Done,
    DateTimeOffset? EstimatedEnd, bool Estimated, string? CountError);

/// <summary>One model's queue on one connection: the prompt tokens its running batches hold against its limit.</summary>
public sealed record ModelQueue(string ConnectionId, string ConnectionName, string Model, long QueuedTokens, QueueLimit? Limit, IReadOnlyList<QueuedBatch> Batches)
{
    /// <summary>Batches whose files are not counted (yet, or at all): their tokens are missing from <see cref="QueuedTokens"/>.</summary>
    public int Uncounted => Batches.Count(b => b.Tokens is null);

    public bool Estimated => Batches.Any(b => b.Estimated);

    /// <summary>The share of the limit in use; null without a limit.</summary>
    public double? Share => Limit is { } limit ? (double)QueuedTokens / limit.Tokens : null;

    /// <summary>Tokens that may still be queued now; null without a limit.</summary>
    public long? Free => Limit is { } limit ? Math.Max(0, limit.Tokens - QueuedTokens) : null;
}

/// <summary>Every connection's and model's queue, at one moment.</summary>
public sealed record CapacityReport(DateTimeOffset At, IReadOnlyList<ModelQueue> Queues);

public enum FitVerdict
{
    /// <summary>No limit is known for the model: nothing to check against.</summary>
    NoLimitKnown,

    Fits,

    /// <summary>Not now, but once running batches have done enough, about at <see cref="CapacityFit.FitsAt"/>.</summary>
    FitsLater,

    /// <summary>Not now, and when is unknown (the batches holding the queue have no pace yet).</summary>
    NotNow,

    /// <summary>The file alone holds more than the limit: it never fits, split it.</summary>
    TooLarge,
}

/// <summary>Whether a file of <see cref="Tokens"/> prompt tokens fits its model's queue.</summary>
public sealed record CapacityFit(FitVerdict Verdict, string Model, long Tokens, long QueuedTokens, QueueLimit? Limit, DateTimeOffset? FitsAt, int Uncounted);

/// <summary>Reads the queues from the cache: never the API.</summary>
public interface ICapacityQueries
{
    Task<CapacityReport> GetAsync(CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="tokens"/> more prompt tokens of <paramref name="model"/> fit the connection's queue now, and if not, about when.</summary>
    Task<CapacityFit> FitAsync(string connectionId, string model, long tokens, CancellationToken cancellationToken);
}

internal sealed class CapacityQueries(CapacityStore store, IConnectionCatalog catalog, IOptions<CapacityOptions> options, TimeProvider timeProvider) : ICapacityQueries
{
    /// <summary>The name a queue goes under when neither the batch nor its file names a model.</summary>
    public const string UnknownModel = "(model not known)";

    public async Task<CapacityReport> GetAsync(CancellationToken cancellationToken) => (await ReadAsync(cancellationToken)).Report;

    /// <summary>The report, and the learned limits it was made with (for a model with no queue yet).</summary>
    private async Task<(CapacityReport Report, IReadOnlyList<LearnedLimit> Learned)> ReadAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var rows = await store.GetRunningAsync(cancellationToken);
        var learned = await store.GetLearnedAsync(cancellationToken);
        var queues = new List<ModelQueue>();
        // Dated versions of a model share its queue.
        foreach (var group in rows.GroupBy(r => (r.ConnectionId, Model: ModelNames.Base(r.Model ?? r.Count?.Model ?? UnknownModel))))
        {
            var batches = group.Select(row => Hold(row, now)).ToList();
            var connection = catalog.Find(group.Key.ConnectionId);
            queues.Add(new ModelQueue(group.Key.ConnectionId, connection?.Name ?? group.Key.ConnectionId, group.Key.Model,
                batches.Sum(b => b.QueuedTokens ?? 0), connection is null ? null : QueueLimits.For(connection, group.Key.Model, options.Value, learned),
                [.. batches.OrderByDescending(b => b.QueuedTokens ?? -1)]));
        }

        return (new CapacityReport(now, [.. queues.OrderBy(q => q.ConnectionName, StringComparer.Ordinal).ThenByDescending(q => q.Share ?? -1).ThenByDescending(q => q.QueuedTokens)]), learned);
    }

    public async Task<CapacityFit> FitAsync(string connectionId, string model, long tokens, CancellationToken cancellationToken)
    {
        model = ModelNames.Base(model);
        var (report, learned) = await ReadAsync(cancellationToken);
        var queue = report.Queues.FirstOrDefault(q => q.ConnectionId == connectionId && q.Model == model);
        var limit = queue?.Limit ?? (catalog.Find(connectionId) is { } connection ? QueueLimits.For(connection, model, options.Value, learned) : null);
        var queued = queue?.QueuedTokens ?? 0;
        var uncounted = queue?.Uncounted ?? 0;
        if (limit is null)
        {
            return new CapacityFit(FitVerdict.NoLimitKnown, model, tokens, queued, null, null, uncounted);
        }

        if (tokens > limit.Tokens)
        {
            return new CapacityFit(FitVerdict.TooLarge, model, tokens, queued, limit, null, uncounted);
        }

        if (queued + tokens <= limit.Tokens)
        {
            return new CapacityFit(FitVerdict.Fits, model, tokens, queued, limit, null, uncounted);
        }

        var at = FitsAt(queue!.Batches.Select(b => (b.QueuedTokens ?? 0, b.EstimatedEnd)), limit.Tokens - tokens, report.At);
        return new CapacityFit(at is null ? FitVerdict.NotNow : FitVerdict.FitsLater, model, tokens, queued, limit, at, uncounted);
    }

    /// <summary>
    /// When the queue first holds no more than <paramref name="room"/>, each batch's hold running down evenly to its
    /// estimated end (a batch without one holds on). The total is a falling, piecewise straight line: found at the
    /// first end where it is low enough, then between that end and the one before.
    /// </summary>
    internal static DateTimeOffset? FitsAt(IEnumerable<(long Queued, DateTimeOffset? End)> holds, long room, DateTimeOffset now)
    {
        var list = holds.Where(h => h.Queued > 0).ToList();
        var fixedPart = list.Where(h => h.End is null || h.End <= now).Sum(h => h.End is null ? h.Queued : 0);
        var draining = list.Where(h => h.End > now).Select(h => (h.Queued, End: h.End!.Value)).OrderBy(h => h.End).ToList();
        if (fixedPart > room)
        {
            return null;
        }

        double Remaining(DateTimeOffset t) => fixedPart + draining.Sum(h => t >= h.End ? 0 : h.Queued * (h.End - t).TotalSeconds / (h.End - now).TotalSeconds);

        var previous = now;
        foreach (var (_, end) in draining)
        {
            if (Remaining(end) <= room)
            {
                var (from, to) = (Remaining(previous), Remaining(end));
                var share = from <= to ? 1 : (from - room) / (from - to);
                return previous + ((end - previous) * Math.Clamp(share, 0, 1));
            }

            previous = end;
        }

        return null;
    }

    private static QueuedBatch Hold(RunningBatchRow row, DateTimeOffset now)
    {
        var status = BatchStatus.Parse(row.Status);
        var total = row.Total ?? 0;
        var done = (row.Completed ?? 0) + (row.Failed ?? 0);
        var tokens = row.Count?.Tokens;
        long? queued = tokens is not { } all ? null
            : total > 0 ? (long)Math.Round(all * (double)Math.Max(0, total - done) / total)
            : all;
        DateTimeOffset? end = null;
        if (row.Phase == BatchStatus.NameOf(BatchStatusKind.InProgress) && row.PhaseStartedAt is { } started && done > 0 && total > done)
        {
            var elapsed = now - DateTimeOffset.FromUnixTimeSeconds(started);
            if (elapsed > TimeSpan.Zero)
            {
                end = now + (elapsed * ((double)(total - done) / done));
            }
        }

        return new QueuedBatch(row.BatchId, status, tokens, queued, total, done, end, row.Count?.Estimated ?? false, row.Count?.Error);
    }
}
