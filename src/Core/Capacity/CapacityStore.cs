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
    /// <summary>
    /// The running batches' input files with no count yet, or a failed try older than <paramref name="retryFailedBefore"/>:
    /// from the one read of the running batches (<see cref="GetRunningAsync"/>), which the partial index serves.
    /// </summary>
    public async Task<IReadOnlyList<UncountedFile>> GetUncountedAsync(long retryFailedBefore, CancellationToken cancellationToken) =>
        [.. (await GetRunningAsync(cancellationToken))
            .Where(r => r.InputFileId is not null && (r.Count is null || (r.Count.Tokens is null && r.Count.AttemptedAt < retryFailedBefore)))
            .Reverse() // oldest first
            .Select(r => new UncountedFile(r.ConnectionId, r.BatchId, r.InputFileId!))
            .DistinctBy(f => (f.ConnectionId, f.FileId))];

    public async Task<InputTokenRecord?> GetCountAsync(string connectionId, string fileId, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.InputTokens.AsNoTracking().FirstOrDefaultAsync(t => t.ConnectionId == connectionId && t.FileId == fileId, cancellationToken);
    }

    /// <summary>
    /// Keeps a file's count, or why it could not be counted: never a failed try over a count (the upload's, or another
    /// instance's, made meanwhile). Two writers of one new file's row take turns: the one that loses the insert
    /// updates instead, under the same rule.
    /// </summary>
    public async Task SaveAsync(InputTokenRecord record, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
            var existing = await context.InputTokens.FindAsync([record.ConnectionId, record.FileId], cancellationToken);
            if (existing is { Tokens: not null } && record.Tokens is null)
            {
                return;
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
                return;
            }
            catch (DbUpdateException) when (existing is null && attempt == 0)
            {
                // Another writer inserted the row first: read it and decide again.
            }
        }
    }

    /// <summary>
    /// The running batches with their files' counts, in SQL that reads the small partial index of running batches
    /// (EF's <c>NOT is_terminal</c> does not match the index's <c>is_terminal = 0</c>, and scanned every batch).
    /// </summary>
    public async Task<IReadOnlyList<RunningBatchRow>> GetRunningAsync(CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var dialect = CacheDialect.Of(context);
        await context.Database.OpenConnectionAsync(cancellationToken);
        await using var command = context.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"""
            SELECT b.connection_id, b.id, b.status_raw, b.model, b.input_file_id, b.request_total, b.request_completed, b.request_failed,
                b.phase, b.phase_started_at, t.file_id, t.model, t.encoding, t.estimated, t.tokens, t.requests, t.counted_at, t.error, t.attempted_at
            FROM batches b{dialect.IndexedBy("ix_batches_active")}
            LEFT JOIN input_tokens t ON t.connection_id = b.connection_id AND t.file_id = b.input_file_id
            WHERE b.is_terminal = {dialect.False}
            ORDER BY b.created_at DESC
            """;
        var rows = new List<RunningBatchRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            string? Text(int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
            int? Number(int ordinal) => reader.IsDBNull(ordinal) ? null : reader.Int32(ordinal);
            long? Long(int ordinal) => reader.IsDBNull(ordinal) ? null : reader.Int64(ordinal);
            var count = reader.IsDBNull(10) ? null : new InputTokenRecord
            {
                ConnectionId = reader.GetString(0), FileId = reader.GetString(10), Model = Text(11), Encoding = reader.GetString(12),
                Estimated = reader.Int64(13) != 0, Tokens = Long(14), Requests = reader.Int32(15), CountedAt = Long(16), Error = Text(17),
                AttemptedAt = reader.Int64(18),
            };
            rows.Add(new RunningBatchRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), Text(3), Text(4), Number(5), Number(6), Number(7),
                Text(8), Long(9), count));
        }

        return rows;
    }

    public async Task<IReadOnlyList<LearnedLimit>> GetLearnedAsync(CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await context.LearnedLimits.AsNoTracking().ToListAsync(cancellationToken);
        return [.. rows.Select(l => new LearnedLimit(l.ConnectionId, l.Model, l.Tokens, l.BatchId, DateTimeOffset.FromUnixTimeSeconds(l.LearnedAt)))];
    }
}
