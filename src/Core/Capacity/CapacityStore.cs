using BatchDashboard.Core.Cache;
using Microsoft.EntityFrameworkCore;

namespace BatchDashboard.Core.Capacity;

/// <summary>A running batch whose input file has no token count yet (or a failed one due another try).</summary>
internal sealed record UncountedFile(string ConnectionId, string BatchId, string FileId);

/// <summary>A running batch with its counts and its file's prompt tokens, as the capacity view reads them.</summary>
internal sealed record RunningBatchRow(
    string ConnectionId, string BatchId, string Status, string? Model, string? InputFileId, int? Total, int? Completed, int? Failed,
    string? Phase, long? PhaseStartedAt, InputTokenRecord? Count);

/// <summary>The cache's side of capacity: token counts per input file, learned limits, and the running batches.</summary>
internal sealed class CapacityStore(IDbContextFactory<BatchCacheDbContext> contextFactory)
{
    public async Task<IReadOnlyList<UncountedFile>> GetUncountedAsync(long retryFailedBefore, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await (
            from b in context.Batches.AsNoTracking()
            where !b.IsTerminal && b.InputFileId != null
            from t in context.InputTokens.Where(t => t.ConnectionId == b.ConnectionId && t.FileId == b.InputFileId).DefaultIfEmpty()
            where t == null || (t.Tokens == null && t.AttemptedAt < retryFailedBefore)
            orderby b.CreatedAt
            select new UncountedFile(b.ConnectionId, b.Id, b.InputFileId!)).ToListAsync(cancellationToken);
    }

    public async Task<InputTokenRecord?> GetCountAsync(string connectionId, string fileId, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.InputTokens.AsNoTracking().FirstOrDefaultAsync(t => t.ConnectionId == connectionId && t.FileId == fileId, cancellationToken);
    }

    public async Task SaveAsync(InputTokenRecord record, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var existing = await context.InputTokens.FindAsync([record.ConnectionId, record.FileId], cancellationToken);
        if (existing is { Tokens: not null } && record.Tokens is null)
        {
            return; // a count made meanwhile (the upload's, or another instance's) is not undone by a failed try
        }

        if (existing is null)
        {
            context.InputTokens.Add(record);
        }
        else
        {
            context.Entry(existing).CurrentValues.SetValues(record);
        }

        try
        {
            await context.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (existing is null)
        {
            // Another instance (or the upload) counted the same file meanwhile: one count is as good as the other.
        }
    }

    public async Task<IReadOnlyList<RunningBatchRow>> GetRunningAsync(CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await (
            from b in context.Batches.AsNoTracking()
            where !b.IsTerminal
            from t in context.InputTokens.AsNoTracking().Where(t => t.ConnectionId == b.ConnectionId && t.FileId == b.InputFileId).DefaultIfEmpty()
            orderby b.CreatedAt descending
            select new RunningBatchRow(b.ConnectionId, b.Id, b.StatusRaw, b.Model, b.InputFileId, b.RequestTotal, b.RequestCompleted, b.RequestFailed,
                b.Phase, b.PhaseStartedAt, t)).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<LearnedLimit>> GetLearnedAsync(CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await context.LearnedLimits.AsNoTracking().ToListAsync(cancellationToken);
        return [.. rows.Select(l => new LearnedLimit(l.ConnectionId, l.Model, l.Tokens, l.BatchId, DateTimeOffset.FromUnixTimeSeconds(l.LearnedAt)))];
    }
}
