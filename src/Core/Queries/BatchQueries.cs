using System.Data.Common;
using System.Globalization;
using System.Text;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Cache;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Queries;

/// <summary>The cache's read side, in SQL that uses the indexes: keyset paging over (sort key, id, connection).</summary>
internal sealed class BatchQueries(
    IDbContextFactory<BatchCacheDbContext> contextFactory, TimeProvider timeProvider, CacheGeneration generation, IOptions<BatchInsightOptions> flags) : IBatchQueries
{
    // A list view reads a page, its header counts and the filter choices; each changes only when batches do (the
    // summary's last day moves by the minute, a page sorted by duration with the clock: that sort is not kept).
    private readonly GenerationMemo<BatchListPage> _pages = new(generation, capacity: 128);
    private readonly GenerationMemo<BatchSummary> _summaries = new(generation);
    private readonly GenerationMemo<(IReadOnlyList<string> Endpoints, IReadOnlyList<string> Models)> _facets = new(generation, capacity: 16);
    // A batch's page reads its batch and snapshots on every view, and every open page of it again after each change.
    private readonly GenerationMemo<CachedBatch?> _batches = new(generation);
    private readonly GenerationMemo<IReadOnlyList<BatchProgressPoint>> _histories = new(generation);

    public Task<BatchListPage> ListAsync(BatchListRequest request, CancellationToken cancellationToken)
    {
        if (request.Sort.Field == BatchSortField.Duration)
        {
            return ReadPageAsync(request, cancellationToken);
        }

        var filter = request.Filter;
        // Which batches need attention changes with the clock too (a phase grows long): such a page is kept for its minute.
        var minute = filter.NeedsAttention && request.Cursor is null ? timeProvider.GetUtcNow().ToUnixTimeSeconds() / 60 : 0;
        var key = string.Join('\u001f', string.Join(',', filter.Statuses.Distinct().Order()), FilterKey(filter),
            request.Sort.Field, request.Sort.Descending, request.PageSize, request.Cursor, minute);
        return _pages.GetAsync(key, token => ReadPageAsync(request, token), cancellationToken);
    }

    /// <summary>Every member of a filter but its statuses, as one key.</summary>
    private static string FilterKey(BatchFilter filter) => string.Join('\u001f', filter.Endpoint, filter.Model, filter.ConnectionId,
        filter.CreatedFrom?.ToUnixTimeSeconds(), filter.CreatedTo?.ToUnixTimeSeconds(), filter.MetadataKey, filter.MetadataValue, filter.Text,
        filter.NeedsAttention, filter.ErrorCode);

    private async Task<BatchListPage> ReadPageAsync(BatchListRequest request, CancellationToken cancellationToken)
    {
        var pageSize = Math.Clamp(request.PageSize, 1, 500);
        var cursor = ListCursor.Parse(request.Cursor);
        // Durations of running batches grow; a cursor keeps the moment its first page was read, so pages stay consistent.
        var now = cursor?.Now ?? timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var key = SortKey(request.Sort.Field);
        var direction = request.Sort.Descending ? "DESC" : "ASC";
        var comparison = request.Sort.Descending ? "<" : ">";

        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var plan = await PlanAsync(context, request.Filter, cancellationToken);
        await using var command = await OpenCommandAsync(context, cancellationToken);
        var where = new StringBuilder();
        var statuses = request.Filter.Statuses.Distinct().ToList();
        // Several statuses in created order: one index-ordered, limited scan per status, merged; not a sort of every match.
        var perStatus = statuses.Count > 1 && request.Sort.Field == BatchSortField.Created;
        AppendFilter(where, command, plan, request.Filter, now, includeStatuses: !perStatus);
        if (cursor is not null)
        {
            where.Append($" AND ({key}, b.id, b.connection_id) {comparison} (@cursor_key, @cursor_id, @cursor_connection)");
            // An integer key compares as one, so PostgreSQL can seek its index with it.
            command.Add("@cursor_key", IsIntegral(request.Sort.Field) ? (object)(long)cursor.Key : cursor.Key);
            command.Add("@cursor_id", cursor.Id);
            command.Add("@cursor_connection", cursor.ConnectionId);
        }

        command.Add("@now", now);
        command.Add("@limit", pageSize + 1);
        var order = $"ORDER BY sort_key {direction}, id {direction}, connection_id {direction}";
        string Select(string extra) => $"""
            SELECT b.key, b.connection_id, b.id, b.first_seen_at, b.updated_at, {key} AS sort_key
            FROM batches b
            WHERE 1 = 1{where}{extra}
            {order}
            LIMIT @limit
            """;
        string keys;
        if (perStatus)
        {
            keys = string.Join("\nUNION ALL\n", statuses.Select((kind, i) =>
            {
                command.Add($"@status{i}", BatchStatus.NameOf(kind));
                return $"SELECT * FROM ({Select($" AND b.status = @status{i}")}) s{i}";
            }));
            keys = $"SELECT * FROM ({keys}) merged {order} LIMIT @limit";
        }
        else
        {
            keys = Select("");
        }

        // Two steps: order and limit the narrow rows, then fetch the documents of just the page.
        command.CommandText = $"""
            SELECT k.connection_id, d.raw_json, k.first_seen_at, k.updated_at, k.sort_key, k.id
            FROM ({keys}) k
            JOIN batch_documents d ON d.batch_key = k.key
            ORDER BY k.sort_key {direction}, k.id {direction}, k.connection_id {direction}
            """;

        var items = new List<CachedBatch>(pageSize);
        string? next = null;
        double lastKey = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (items.Count == pageSize)
            {
                var last = items[^1];
                next = new ListCursor(lastKey, last.Batch.Id, last.ConnectionId, now).ToString();
                break;
            }

            if (ReadCached(reader) is { } cached)
            {
                items.Add(cached);
                lastKey = reader.Double(4);
            }
        }

        return new BatchListPage(items, next);
    }

    public Task<CachedBatch?> GetAsync(string batchId, string? connectionId, CancellationToken cancellationToken) =>
        _batches.GetAsync(batchId + '\u001f' + connectionId, token => ReadBatchAsync(batchId, connectionId, token), cancellationToken);

    private async Task<CachedBatch?> ReadBatchAsync(string batchId, string? connectionId, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var command = await OpenCommandAsync(context, cancellationToken);
        // One seek of the (connection, id) index per connection: every connection with cached batches has a sync state.
        command.CommandText = """
            SELECT b.connection_id, d.raw_json, b.first_seen_at, b.updated_at
            FROM batches b
            JOIN batch_documents d ON d.batch_key = b.key
            WHERE b.id = @id AND b.connection_id IN (SELECT connection_id FROM sync_states WHERE @connection IS NULL OR connection_id = @connection)
            ORDER BY b.updated_at DESC
            LIMIT 1
            """;
        command.Add("@id", batchId);
        command.Add("@connection", connectionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadCached(reader) : null;
    }

    public Task<BatchSummary> SummarizeAsync(BatchFilter filter, CancellationToken cancellationToken)
    {
        // "The last 24 hours" from the start of this minute, so one answer serves every view within it.
        var minute = timeProvider.GetUtcNow().ToUnixTimeSeconds() / 60 * 60;
        var key = FilterKey(filter) + '\u001f' + minute.ToString(CultureInfo.InvariantCulture);
        return _summaries.GetAsync(key, token => ReadSummaryAsync(filter, minute, token), cancellationToken);
    }

    /// <summary>The header counts; statuses are not part of them (each status's count is one of them).</summary>
    private async Task<BatchSummary> ReadSummaryAsync(BatchFilter filter, long now, CancellationToken cancellationToken)
    {
        var since = now - 86_400;
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var plan = await PlanAsync(context, filter, cancellationToken);
        var dialect = plan.Dialect;

        // Three small queries: counts from the table the triggers keep (or, under a filter, from an index), running
        // requests from the partial index of unfinished batches, and recent failures from a range of the created index.
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var total = 0;
        await using (var command = await OpenCommandAsync(context, cancellationToken))
        {
            if (!NarrowsBeyondCounts(filter))
            {
                // Every batch, or those of a connection, endpoint or model: the counts the triggers keep (a row per
                // connection, endpoint, model and status, whatever the number of batches).
                command.CommandText = """
                    SELECT name, NULL, SUM(count) FROM batch_counts
                    WHERE (@connection_id IS NULL OR connection_id = @connection_id)
                      AND (@endpoint IS NULL OR endpoint = @endpoint) AND (@model IS NULL OR model = @model)
                    GROUP BY name HAVING SUM(count) > 0
                    """;
                command.Add("@connection_id", filter.ConnectionId);
                command.Add("@endpoint", NullIfEmpty(filter.Endpoint));
                command.Add("@model", NullIfEmpty(filter.Model));
            }
            else
            {
                var where = new StringBuilder();
                AppendFilter(where, command, plan, filter, now, includeStatuses: false);
                command.CommandText = $"""
                    SELECT b.status, NULL, COUNT(*) FROM batches b WHERE b.status <> 'unknown'{where} GROUP BY b.status
                    UNION ALL
                    SELECT b.status, b.status_raw, COUNT(*) FROM batches b WHERE b.status = 'unknown'{where} GROUP BY b.status, b.status_raw
                    """;
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.IsDBNull(1) ? reader.GetString(0) : reader.GetString(1);
                var count = reader.Int32(2);
                counts[name] = counts.GetValueOrDefault(name) + count;
                total += count;
            }
        }

        long inFlight;
        await using (var command = await OpenCommandAsync(context, cancellationToken))
        {
            var where = new StringBuilder();
            AppendFilter(where, command, plan, filter, now, includeStatuses: false);
            var pending = dialect.Greatest("COALESCE(b.request_total, 0) - COALESCE(b.request_completed, 0) - COALESCE(b.request_failed, 0)", "0");
            command.CommandText = $"""
                SELECT COALESCE(SUM({pending}), 0)
                FROM batches b{dialect.IndexedBy("ix_batches_active")}
                WHERE b.is_terminal = {dialect.False}{where}
                """;
            inFlight = DbCommandExtensions.AsInt64(await command.ExecuteScalarAsync(cancellationToken));
        }

        int failedBatches;
        long failedRequests;
        await using (var command = await OpenCommandAsync(context, cancellationToken))
        {
            var where = new StringBuilder();
            AppendFilter(where, command, plan, filter with { CreatedFrom = Later(filter.CreatedFrom, DateTimeOffset.FromUnixTimeSeconds(since)) }, now, includeStatuses: false);
            command.CommandText = $"""
                SELECT COALESCE(SUM(CASE WHEN b.status = 'failed' THEN 1 ELSE 0 END), 0), COALESCE(SUM(COALESCE(b.request_failed, 0)), 0)
                FROM batches b
                WHERE 1 = 1{where}
                """;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            failedBatches = reader.Int32(0);
            failedRequests = reader.Int64(1);
        }

        int needsAttention;
        await using (var command = await OpenCommandAsync(context, cancellationToken))
        {
            var where = new StringBuilder();
            AppendFilter(where, command, plan, filter with { NeedsAttention = false }, now, includeStatuses: false);
            command.CommandText = AttentionCountSql(where, command, dialect, flags.Value, now);
            needsAttention = (int)DbCommandExtensions.AsInt64(await command.ExecuteScalarAsync(cancellationToken));
        }

        return new BatchSummary(counts, total, inFlight, failedBatches, failedRequests, needsAttention);
    }

    /// <summary>
    /// True when the filter selects by more than the kept counts are grouped by (connection, endpoint, model; statuses
    /// aside, as each status's count is one of them).
    /// </summary>
    private static bool NarrowsBeyondCounts(BatchFilter filter) =>
        filter.CreatedFrom is not null || filter.CreatedTo is not null || filter.NeedsAttention
        || !string.IsNullOrEmpty(filter.MetadataKey) || !string.IsNullOrWhiteSpace(filter.Text) || !string.IsNullOrEmpty(filter.ErrorCode);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } value && value > b ? value : b;

    public Task<IReadOnlyList<BatchProgressPoint>> GetHistoryAsync(string connectionId, string batchId, CancellationToken cancellationToken) =>
        _histories.GetAsync(connectionId + '\u001f' + batchId, token => ReadHistoryAsync(connectionId, batchId, token), cancellationToken);

    private async Task<IReadOnlyList<BatchProgressPoint>> ReadHistoryAsync(string connectionId, string batchId, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await context.BatchSnapshots.AsNoTracking()
            .Join(context.Batches.Where(b => b.ConnectionId == connectionId && b.Id == batchId), s => s.BatchKey, b => b.Key, (s, _) => s)
            .OrderBy(s => s.ObservedAt).ThenBy(s => s.Id)
            .Select(s => new { s.ObservedAt, s.Status, s.RequestTotal, s.RequestCompleted, s.RequestFailed })
            .ToListAsync(cancellationToken);
        return rows.ConvertAll(s => new BatchProgressPoint(DateTimeOffset.FromUnixTimeSeconds(s.ObservedAt), s.Status, s.RequestTotal, s.RequestCompleted, s.RequestFailed));
    }

    public Task<(IReadOnlyList<string> Endpoints, IReadOnlyList<string> Models)> GetFacetsAsync(string? endpoint, string? model, CancellationToken cancellationToken) =>
        _facets.GetAsync(endpoint + '\u001f' + model, async token =>
        {
            await using var context = await contextFactory.CreateDbContextAsync(token);
            return (await DistinctAsync(context, "endpoint", "model", model, token), await DistinctAsync(context, "model", "endpoint", endpoint, token));
        }, cancellationToken);

    /// <summary>
    /// The endpoints or models some cached batch has (of those whose <paramref name="other"/> column is
    /// <paramref name="otherValue"/>, when given), from the counts the triggers keep (a few hundred rows at most),
    /// where <c>SELECT DISTINCT</c> over the batches reads every row (48 ms at 100,000 batches). A batch without one
    /// is counted under the empty text, which is no choice.
    /// </summary>
    private static async Task<IReadOnlyList<string>> DistinctAsync(BatchCacheDbContext context, string column, string other, string? otherValue, CancellationToken cancellationToken)
    {
        await using var command = await OpenCommandAsync(context, cancellationToken);
        var where = $"{column} <> ''";
        if (otherValue is not null)
        {
            where += $" AND {other} = @other";
            command.Add("@other", otherValue);
        }

        command.CommandText = $"SELECT {column} FROM batch_counts WHERE {where} GROUP BY {column} HAVING SUM(count) > 0 ORDER BY {column}";
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    /// <summary>Sort keys that are whole numbers (the others, durations and fractions, compare as doubles).</summary>
    private static bool IsIntegral(BatchSortField field) => field is BatchSortField.Created or BatchSortField.Failures;

    private static string SortKey(BatchSortField field) => field switch
    {
        BatchSortField.Duration => "CAST(COALESCE(b.ended_at, @now) - CASE WHEN b.created_at > 0 THEN b.created_at ELSE @now END AS DOUBLE PRECISION)",
        BatchSortField.Progress => """
            CASE WHEN COALESCE(b.request_total, 0) > 0
                 THEN CAST(COALESCE(b.request_completed, 0) + COALESCE(b.request_failed, 0) AS DOUBLE PRECISION) / b.request_total
                 ELSE -1.0 END
            """,
        BatchSortField.Failures => "COALESCE(b.request_failed, 0)",
        // The bare column, so SQLite walks its index instead of sorting.
        _ => "b.created_at",
    };

    private void AppendFilter(StringBuilder where, DbCommand command, FilterPlan plan, BatchFilter filter, long now, bool includeStatuses)
    {
        var dialect = plan.Dialect;
        if (includeStatuses && filter.Statuses.Count > 0)
        {
            var names = filter.Statuses.Distinct().Select((kind, i) =>
            {
                command.Add($"@status{i}", BatchStatus.NameOf(kind));
                return $"@status{i}";
            });
            where.Append($" AND b.status IN ({string.Join(", ", names)})");
        }

        void Equal(string column, string parameter, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                where.Append($" AND {column} = {parameter}");
                command.Add(parameter, value);
            }
        }

        Equal("b.endpoint", "@endpoint", filter.Endpoint);
        Equal("b.model", "@model", filter.Model);
        Equal("b.connection_id", "@connection_id", filter.ConnectionId);
        if (filter.CreatedFrom is { } from)
        {
            where.Append(" AND b.created_at >= @created_from");
            command.Add("@created_from", from.ToUnixTimeSeconds());
        }

        if (filter.CreatedTo is { } to)
        {
            where.Append(" AND b.created_at < @created_to");
            command.Add("@created_to", to.ToUnixTimeSeconds());
        }

        if (!string.IsNullOrEmpty(filter.ErrorCode))
        {
            // The ledger holds only indexed batches with failures: a small set, read whole.
            where.Append(" AND b.key IN (SELECT e.batch_key FROM insight_error_batches e WHERE e.code = @error_code)");
            command.Add("@error_code", filter.ErrorCode);
        }

        if (plan.RareMetadata)
        {
            where.Append(" AND b.key IN (SELECT m.batch_key FROM batch_metadata m WHERE m.key = @meta_key AND m.value = @meta_value)");
            command.Add("@meta_key", filter.MetadataKey);
            command.Add("@meta_value", filter.MetadataValue);
        }
        else if (!string.IsNullOrEmpty(filter.MetadataKey))
        {
            where.Append(" AND EXISTS (SELECT 1 FROM batch_metadata m WHERE m.batch_key = b.key AND m.key = @meta_key");
            command.Add("@meta_key", filter.MetadataKey);
            if (filter.MetadataValue is not null)
            {
                where.Append(" AND m.value = @meta_value");
                command.Add("@meta_value", filter.MetadataValue);
            }

            where.Append(')');
        }

        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            var text = filter.Text.Trim().ToLowerInvariant();
            if (text.Length >= 3 && dialect.HasSearchTable)
            {
                // Candidates from the trigram index, plus every batch of a connection whose index is not built yet.
                var unindexed = plan.UnindexedConnections.Select((id, i) =>
                {
                    command.Add($"@unindexed{i}", id);
                    return $"@unindexed{i}";
                }).ToList();
                where.Append(" AND b.key IN (SELECT rowid FROM batch_search WHERE batch_search MATCH @fts");
                if (unindexed.Count > 0)
                {
                    where.Append($" UNION ALL SELECT key FROM batches WHERE connection_id IN ({string.Join(", ", unindexed)})");
                }

                where.Append(')');
                command.Add("@fts", "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"");
            }

            // The exact test, also for texts too short for trigrams (on PostgreSQL, its trigram index answers it).
            where.Append(" AND ").Append(command.Contains("b.search_text", "@text", text));
        }

        if (filter.NeedsAttention)
        {
            AppendAttention(where, command, dialect, flags.Value, now);
        }
    }

    /// <summary>
    /// <see cref="BatchAttention.Needs"/> in SQL: an alarm that holds whatever the clock (<c>alarm</c>), a failed share
    /// above the setting (<c>failed_share</c>), or a running batch whose phase has lasted too long or whose window ends
    /// soon (<c>phase</c>, <c>expires_at</c>). Each part has an index: the header counts them apart
    /// (<see cref="AttentionCountSql"/>); a page walks the created order and stops at its last row. A test holds this
    /// to the pages' flags on both providers.
    /// </summary>
    private static void AppendAttention(StringBuilder where, DbCommand command, CacheDialect dialect, BatchInsightOptions options, long now) =>
        where.Append($" AND (b.alarm = {dialect.True} OR b.failed_share > @attention_rate OR (b.is_terminal = {dialect.False} AND {RunningAttention(command, options, now)}))");

    /// <summary>The parts that need the clock: the running batch's phase has lasted too long, or its window ends soon.</summary>
    private static string RunningAttention(DbCommand command, BatchInsightOptions options, long now)
    {
        command.Add("@attention_now", now);
        command.Add("@attention_rate", options.FailureRate);
        command.Add("@attention_expiring", (long)options.ExpiringSoon.TotalSeconds);
        var longPhases = new[] { BatchStatusKind.Validating, BatchStatusKind.InProgress, BatchStatusKind.Finalizing, BatchStatusKind.Cancelling }
            .Select(kind =>
            {
                var name = BatchStatus.NameOf(kind);
                command.Add("@attention_long_" + name, (long)options.LongFor(kind)!.Value.TotalSeconds);
                return $"WHEN '{name}' THEN @attention_long_{name}";
            });
        return $"""
            (@attention_now - b.phase_started_at > CASE b.phase {string.Join(' ', longPhases)} END
                OR (b.expires_at - @attention_now > 0 AND b.expires_at - @attention_now <= @attention_expiring))
            """;
    }

    /// <summary>
    /// How many batches the filter (<paramref name="where"/>, its parameters already added) selects that need
    /// attention: three counts of parts that do not overlap, each read through its own index (a running batch has no
    /// fixed alarm; the failed share is counted once).
    /// </summary>
    private static string AttentionCountSql(StringBuilder where, DbCommand command, CacheDialect dialect, BatchInsightOptions options, long now)
    {
        var running = RunningAttention(command, options, now);
        return $"""
            SELECT (SELECT COUNT(*) FROM batches b WHERE b.alarm = {dialect.True}{where})
                 + (SELECT COUNT(*) FROM batches b WHERE b.failed_share > @attention_rate AND b.alarm = {dialect.False}{where})
                 + (SELECT COUNT(*) FROM batches b{dialect.IndexedBy("ix_batches_active")}
                    WHERE b.is_terminal = {dialect.False} AND COALESCE(b.failed_share, 0) <= @attention_rate AND {running}{where})
            """;
    }

    /// <summary>Below this many matches, a metadata pair's batches are read from its index and sorted.</summary>
    private const int RareMetadataMatches = 1000;

    /// <summary>What a filter's SQL depends on beyond the filter itself, read once for all of a request's statements.</summary>
    /// <param name="UnindexedConnections">
    /// Connections with cached batches whose free-text index (SQLite's search table) is not built yet: searched by scan.
    /// </param>
    /// <param name="RareMetadata">
    /// The metadata pair matches fewer than <see cref="RareMetadataMatches"/> batches: read them from the metadata
    /// index and sort those, rather than walk the created index testing each batch (every one of them, when none
    /// matches: a batch's link to its retries).
    /// </param>
    private sealed record FilterPlan(CacheDialect Dialect, IReadOnlyList<string> UnindexedConnections, bool RareMetadata);

    private static async Task<FilterPlan> PlanAsync(BatchCacheDbContext context, BatchFilter filter, CancellationToken cancellationToken)
    {
        var dialect = CacheDialect.Of(context);
        IReadOnlyList<string> unindexed = [];
        if (dialect.HasSearchTable && filter.Text is { } text && text.Trim().Length >= 3)
        {
            // The store gives every connection with cached batches a sync state, so this small table is enough.
            unindexed = await context.SyncStates.AsNoTracking().Where(s => !s.SearchIndexed).Select(s => s.ConnectionId).ToListAsync(cancellationToken);
        }

        var rare = false;
        if (!string.IsNullOrEmpty(filter.MetadataKey) && filter.MetadataValue is not null)
        {
            // One bounded read of the metadata index.
            rare = await context.BatchMetadata.AsNoTracking()
                .Where(m => m.Key == filter.MetadataKey && m.Value == filter.MetadataValue)
                .Take(RareMetadataMatches).CountAsync(cancellationToken) < RareMetadataMatches;
        }

        return new FilterPlan(dialect, unindexed, rare);
    }

    private static async Task<DbCommand> OpenCommandAsync(BatchCacheDbContext context, CancellationToken cancellationToken)
    {
        await context.Database.OpenConnectionAsync(cancellationToken);
        return context.Database.GetDbConnection().CreateCommand();
    }

    private static CachedBatch? ReadCached(DbDataReader reader)
    {
        var batch = BatchReader.Read(reader.GetString(1)).Batch;
        return batch is null
            ? null
            : new CachedBatch(reader.GetString(0), batch, DateTimeOffset.FromUnixTimeSeconds(reader.Int64(2)), DateTimeOffset.FromUnixTimeSeconds(reader.Int64(3)));
    }

    /// <summary>The position after a page's last row: its sort key, id and connection, and the page's "now".</summary>
    private sealed record ListCursor(double Key, string Id, string ConnectionId, long Now)
    {
        public override string ToString()
        {
            var text = string.Join('\n', Key.ToString("R", CultureInfo.InvariantCulture), Id, ConnectionId, Now.ToString(CultureInfo.InvariantCulture));
            return Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }

        public static ListCursor? Parse(string? cursor)
        {
            if (string.IsNullOrEmpty(cursor))
            {
                return null;
            }

            try
            {
                var base64 = cursor.Replace('-', '+').Replace('_', '/');
                base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split('\n');
                return parts.Length == 4
                    && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var key)
                    && long.TryParse(parts[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var now)
                    ? new ListCursor(key, parts[1], parts[2], now)
                    : null;
            }
            catch (FormatException)
            {
                // A mangled cursor (an edited URL) restarts from the first page rather than failing the page.
                return null;
            }
        }
    }
}
