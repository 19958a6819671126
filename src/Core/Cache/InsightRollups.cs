using System.Data.Common;
using BatchDashboard.Core.Batches;
using Microsoft.EntityFrameworkCore;

namespace BatchDashboard.Core.Cache;

/// <summary>
/// Changes to the insights' rollups (<see cref="InsightDayRecord"/>, <see cref="InsightDurationRecord"/>,
/// <see cref="InsightErrorRecord"/>) gathered over one transaction, each key's sum once: a batch that changes takes
/// away what it added before (<see cref="BatchOutcome"/> of its cached state) and adds what it adds now, and a page
/// of a hundred batches from one day and model writes a few rows, not a hundred.
/// </summary>
internal sealed class InsightDelta
{
    private const int Measures = 9;

    private readonly Dictionary<DayKey, long[]> _days = [];
    private readonly Dictionary<DurationKey, DurationHistograms> _durations = [];
    private readonly Dictionary<ErrorKey, long> _errors = [];

    public bool IsEmpty => _days.Count == 0 && _durations.Count == 0 && _errors.Count == 0;

    /// <summary>Adds (<paramref name="sign"/> 1) or takes away (-1) what a batch contributes.</summary>
    public void Add(string connectionId, BatchOutcome outcome, int sign)
    {
        foreach (var (metaKey, metaValue) in SlicesOf(outcome))
        {
            var key = new DayKey(metaKey, metaValue, outcome.Day, connectionId, outcome.Endpoint, outcome.Model, outcome.Status);
            if (!_days.TryGetValue(key, out var sums))
            {
                _days[key] = sums = new long[Measures];
            }

            sums[0] += sign;
            sums[1] += sign * outcome.Requests;
            sums[2] += sign * outcome.Completed;
            sums[3] += sign * outcome.Failed;
            sums[4] += sign * outcome.Unrun;
            sums[5] += sign * outcome.InputTokens;
            sums[6] += sign * outcome.CachedTokens;
            sums[7] += sign * outcome.OutputTokens;
            sums[8] += sign * outcome.UnrunInputTokens;

            if (outcome.Durations is { } durations)
            {
                var durationKey = new DurationKey(metaKey, metaValue, outcome.Day, connectionId, outcome.Endpoint, outcome.Model, outcome.SizeBucket);
                if (!_durations.TryGetValue(durationKey, out var histograms))
                {
                    _durations[durationKey] = histograms = new DurationHistograms();
                }

                histograms.Add(durations, sign);
            }
        }
    }

    /// <summary>Adds or takes away a batch's failed requests by error code (from its indexed files).</summary>
    public void AddErrors(string connectionId, BatchOutcome outcome, IEnumerable<KeyValuePair<string, long>> codes, int sign)
    {
        foreach (var (code, requests) in codes)
        {
            foreach (var (metaKey, metaValue) in SlicesOf(outcome))
            {
                var key = new ErrorKey(metaKey, metaValue, outcome.Day, connectionId, outcome.Endpoint, outcome.Model, code);
                _errors[key] = _errors.GetValueOrDefault(key) + (sign * requests);
            }
        }
    }

    /// <summary>Writes the sums into the rollups, within the caller's transaction; a row whose batches reach 0 goes.</summary>
    public async Task FlushAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (IsEmpty)
        {
            return;
        }

        await FlushDaysAsync(connection, transaction, cancellationToken);
        await FlushDurationsAsync(connection, transaction, cancellationToken);
        await FlushErrorsAsync(connection, transaction, cancellationToken);
        _days.Clear();
        _durations.Clear();
        _errors.Clear();
    }

    /// <summary>All batches (the empty slice), then one slice per metadata pair.</summary>
    private static IEnumerable<(string Key, string Value)> SlicesOf(BatchOutcome outcome)
    {
        yield return ("", "");
        foreach (var (key, value) in outcome.Metadata)
        {
            yield return (key, value);
        }
    }

    private async Task FlushDaysAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        CacheStatement? upsert = null;
        CacheStatement? delete = null;
        try
        {
            foreach (var (key, sums) in _days)
            {
                if (sums.All(s => s == 0))
                {
                    continue;
                }

                upsert ??= CacheStatement.Prepare(connection, transaction, """
                    INSERT INTO insight_days (meta_key, meta_value, day, connection_id, endpoint, model, status, batches, requests, completed,
                        failed, unrun, input_tokens, cached_tokens, output_tokens, unrun_input_tokens)
                    VALUES (@meta_key, @meta_value, @day, @connection, @endpoint, @model, @status, @batches, @requests, @completed,
                        @failed, @unrun, @input, @cached, @output, @unrun_input)
                    ON CONFLICT (meta_key, meta_value, day, connection_id, endpoint, model, status) DO UPDATE SET
                        batches = insight_days.batches + excluded.batches, requests = insight_days.requests + excluded.requests,
                        completed = insight_days.completed + excluded.completed, failed = insight_days.failed + excluded.failed,
                        unrun = insight_days.unrun + excluded.unrun, input_tokens = insight_days.input_tokens + excluded.input_tokens,
                        cached_tokens = insight_days.cached_tokens + excluded.cached_tokens,
                        output_tokens = insight_days.output_tokens + excluded.output_tokens,
                        unrun_input_tokens = insight_days.unrun_input_tokens + excluded.unrun_input_tokens
                    RETURNING batches
                    """, "@meta_key", "@meta_value", "@day", "@connection", "@endpoint", "@model", "@status", "@batches", "@requests",
                    "@completed", "@failed", "@unrun", "@input", "@cached", "@output", "@unrun_input");
                SetKey(upsert, key.MetaKey, key.MetaValue, key.Day, key.ConnectionId, key.Endpoint, key.Model);
                upsert.Set("@status", key.Status);
                upsert.Set("@batches", sums[0]);
                upsert.Set("@requests", sums[1]);
                upsert.Set("@completed", sums[2]);
                upsert.Set("@failed", sums[3]);
                upsert.Set("@unrun", sums[4]);
                upsert.Set("@input", sums[5]);
                upsert.Set("@cached", sums[6]);
                upsert.Set("@output", sums[7]);
                upsert.Set("@unrun_input", sums[8]);
                if (await upsert.ExecuteScalarAsync(cancellationToken) == 0)
                {
                    delete ??= CacheStatement.Prepare(connection, transaction, """
                        DELETE FROM insight_days WHERE meta_key = @meta_key AND meta_value = @meta_value AND day = @day
                            AND connection_id = @connection AND endpoint = @endpoint AND model = @model AND status = @status
                        """, "@meta_key", "@meta_value", "@day", "@connection", "@endpoint", "@model", "@status");
                    SetKey(delete, key.MetaKey, key.MetaValue, key.Day, key.ConnectionId, key.Endpoint, key.Model);
                    delete.Set("@status", key.Status);
                    await delete.ExecuteAsync(cancellationToken);
                }
            }
        }
        finally
        {
            await DisposeAsync(upsert, delete);
        }
    }

    /// <summary>Histograms cannot be added in SQL: each row is read, added to and written back (the caller holds the connection's lock).</summary>
    private async Task FlushDurationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (_durations.Count == 0)
        {
            return;
        }

        const string Where = """
            meta_key = @meta_key AND meta_value = @meta_value AND day = @day AND connection_id = @connection
                AND endpoint = @endpoint AND model = @model AND size_bucket = @size
            """;
        await using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = $"SELECT batches, turnaround, validating, in_progress, finalizing FROM insight_durations WHERE {Where}";
        // Each parameter created once with its type (PostgreSQL must know it), its value set per key.
        foreach (var name in KeyParameters)
        {
            read.Add(name, name is "@day" ? 0L : name is "@size" ? 0 : "");
        }

        CacheStatement? write = null;
        CacheStatement? delete = null;
        try
        {
            foreach (var (key, change) in _durations)
            {
                if (change.IsZero)
                {
                    continue;
                }

                var total = new DurationHistograms();
                SetKey(read, key);
                await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
                {
                    if (await reader.ReadAsync(cancellationToken))
                    {
                        total.Add(reader.Int64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4));
                    }
                }

                total.Add(change);
                if (total.Batches <= 0)
                {
                    delete ??= CacheStatement.Prepare(connection, transaction, $"DELETE FROM insight_durations WHERE {Where}", KeyParameters);
                    SetKey(delete, key);
                    await delete.ExecuteAsync(cancellationToken);
                    continue;
                }

                write ??= CacheStatement.Prepare(connection, transaction, """
                    INSERT INTO insight_durations (meta_key, meta_value, day, connection_id, endpoint, model, size_bucket, batches,
                        turnaround, validating, in_progress, finalizing)
                    VALUES (@meta_key, @meta_value, @day, @connection, @endpoint, @model, @size, @batches, @turnaround, @validating, @in_progress, @finalizing)
                    ON CONFLICT (meta_key, meta_value, day, connection_id, endpoint, model, size_bucket) DO UPDATE SET
                        batches = excluded.batches, turnaround = excluded.turnaround, validating = excluded.validating,
                        in_progress = excluded.in_progress, finalizing = excluded.finalizing
                    """, [.. KeyParameters, "@batches", "@turnaround", "@validating", "@in_progress", "@finalizing"]);
                SetKey(write, key);
                write.Set("@batches", total.Batches);
                write.Set("@turnaround", total.Turnaround.Encode());
                write.Set("@validating", total.Validating.Encode());
                write.Set("@in_progress", total.InProgress.Encode());
                write.Set("@finalizing", total.Finalizing.Encode());
                await write.ExecuteAsync(cancellationToken);
            }
        }
        finally
        {
            await DisposeAsync(write, delete);
        }
    }

    private static readonly string[] KeyParameters = ["@meta_key", "@meta_value", "@day", "@connection", "@endpoint", "@model", "@size"];

    private async Task FlushErrorsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        CacheStatement? upsert = null;
        CacheStatement? delete = null;
        try
        {
            foreach (var (key, requests) in _errors)
            {
                if (requests == 0)
                {
                    continue;
                }

                upsert ??= CacheStatement.Prepare(connection, transaction, """
                    INSERT INTO insight_errors (meta_key, meta_value, day, connection_id, endpoint, model, code, requests)
                    VALUES (@meta_key, @meta_value, @day, @connection, @endpoint, @model, @code, @requests)
                    ON CONFLICT (meta_key, meta_value, day, connection_id, endpoint, model, code) DO UPDATE SET
                        requests = insight_errors.requests + excluded.requests
                    RETURNING requests
                    """, "@meta_key", "@meta_value", "@day", "@connection", "@endpoint", "@model", "@code", "@requests");
                SetKey(upsert, key.MetaKey, key.MetaValue, key.Day, key.ConnectionId, key.Endpoint, key.Model);
                upsert.Set("@code", key.Code);
                upsert.Set("@requests", requests);
                if (await upsert.ExecuteScalarAsync(cancellationToken) == 0)
                {
                    delete ??= CacheStatement.Prepare(connection, transaction, """
                        DELETE FROM insight_errors WHERE meta_key = @meta_key AND meta_value = @meta_value AND day = @day
                            AND connection_id = @connection AND endpoint = @endpoint AND model = @model AND code = @code
                        """, "@meta_key", "@meta_value", "@day", "@connection", "@endpoint", "@model", "@code");
                    SetKey(delete, key.MetaKey, key.MetaValue, key.Day, key.ConnectionId, key.Endpoint, key.Model);
                    delete.Set("@code", key.Code);
                    await delete.ExecuteAsync(cancellationToken);
                }
            }
        }
        finally
        {
            await DisposeAsync(upsert, delete);
        }
    }

    private static void SetKey(CacheStatement statement, string metaKey, string metaValue, long day, string connectionId, string endpoint, string model)
    {
        statement.Set("@meta_key", metaKey);
        statement.Set("@meta_value", metaValue);
        statement.Set("@day", day);
        statement.Set("@connection", connectionId);
        statement.Set("@endpoint", endpoint);
        statement.Set("@model", model);
    }

    private static void SetKey(DbCommand command, DurationKey key)
    {
        command.Parameters["@meta_key"].Value = key.MetaKey;
        command.Parameters["@meta_value"].Value = key.MetaValue;
        command.Parameters["@day"].Value = key.Day;
        command.Parameters["@connection"].Value = key.ConnectionId;
        command.Parameters["@endpoint"].Value = key.Endpoint;
        command.Parameters["@model"].Value = key.Model;
        command.Parameters["@size"].Value = key.SizeBucket;
    }

    private static void SetKey(CacheStatement statement, DurationKey key)
    {
        SetKey(statement, key.MetaKey, key.MetaValue, key.Day, key.ConnectionId, key.Endpoint, key.Model);
        statement.Set("@size", key.SizeBucket);
    }

    private static async Task DisposeAsync(params CacheStatement?[] statements)
    {
        foreach (var statement in statements)
        {
            if (statement is not null)
            {
                await statement.DisposeAsync();
            }
        }
    }

    private readonly record struct DayKey(string MetaKey, string MetaValue, long Day, string ConnectionId, string Endpoint, string Model, string Status);

    private readonly record struct DurationKey(string MetaKey, string MetaValue, long Day, string ConnectionId, string Endpoint, string Model, int SizeBucket);

    private readonly record struct ErrorKey(string MetaKey, string MetaValue, long Day, string ConnectionId, string Endpoint, string Model, string Code);
}

/// <summary>
/// Keeps the insights' rollups whole. Every write of a counted connection adds its changes in its own transaction
/// (<see cref="BatchStore"/>, the results index); a connection is counted from its batches once, after its first
/// import (<see cref="RecountAsync"/>), as a first import into an empty cache builds its deferred indexes at its end.
/// Writers of one connection take turns on PostgreSQL (an advisory lock per connection), since a histogram is read,
/// added to and written back.
/// </summary>
internal sealed class InsightRollups(IDbContextFactory<BatchCacheDbContext> contextFactory, TimeProvider timeProvider, CacheGeneration generation)
{
    /// <summary>How many batches a recount reads before it writes what they add: its memory stays flat.</summary>
    private const int RecountChunk = 5_000;

    /// <summary>The failed requests of a batch by code, once none of its result files is still being read.</summary>
    internal static string ErrorCodesSql(string batchCondition) => $"""
        SELECT r.batch_key, COALESCE(r.error_code, CASE r.outcome WHEN 2 THEN 'http_error' WHEN 3 THEN 'batch_expired'
            WHEN 4 THEN 'batch_cancelled' ELSE 'other_error' END) AS code, COUNT(*)
        FROM result_requests r
        WHERE r.outcome >= 2 AND {batchCondition}
            AND NOT EXISTS (SELECT 1 FROM result_files f WHERE f.batch_key = r.batch_key AND f.kind <> 'input' AND f.state IN ('waiting', 'indexing'))
        GROUP BY r.batch_key, code
        """;

    /// <summary>Makes the connection's other writers wait until this transaction ends (PostgreSQL; SQLite has one writer).</summary>
    internal static async Task LockAsync(DbConnection connection, DbTransaction transaction, CacheDialect dialect, string connectionId, CancellationToken cancellationToken)
    {
        if (dialect.IsSqlite)
        {
            return;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT pg_advisory_xact_lock(@key)";
        command.Add("@key", LockKeyOf(connectionId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static async Task<bool> IsCountedAsync(DbConnection connection, DbTransaction transaction, string connectionId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COUNT(*) FROM insight_states WHERE connection_id = @connection";
        command.Add("@connection", connectionId);
        return DbCommandExtensions.AsInt64(await command.ExecuteScalarAsync(cancellationToken)) > 0;
    }

    /// <summary>
    /// Counts the connection's rollups again from its batches and indexed files, replacing what they held, and marks
    /// it counted: after its first import, and at start-up for a connection imported before the cache kept them.
    /// </summary>
    /// <param name="unlessCounted">Leave a connection another instance counted meanwhile (the start-up's catch-up).</param>
    public async Task RecountAsync(string connectionId, CancellationToken cancellationToken, bool unlessCounted = false)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var dialect = CacheDialect.Of(context);
        await context.Database.OpenConnectionAsync(cancellationToken);
        var connection = context.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(connection, transaction, dialect, connectionId, cancellationToken);
        if (unlessCounted && await IsCountedAsync(connection, transaction, connectionId, cancellationToken))
        {
            return;
        }

        await using (var clear = connection.CreateCommand())
        {
            clear.Transaction = transaction;
            clear.CommandText = """
                DELETE FROM insight_days WHERE connection_id = @connection;
                DELETE FROM insight_durations WHERE connection_id = @connection;
                DELETE FROM insight_errors WHERE connection_id = @connection;
                DELETE FROM insight_error_batches WHERE batch_key IN (SELECT key FROM batches WHERE connection_id = @connection);
                """;
            clear.Add("@connection", connectionId);
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }

        var delta = new InsightDelta();
        var outcomes = new Dictionary<long, BatchOutcome>();
        long after = -1;
        var readAny = true;
        while (readAny)
        {
            readAny = false;
            outcomes.Clear();
            await using (var read = connection.CreateCommand())
            {
                read.Transaction = transaction;
                // In key order, every connection's (the connection's own index would be read whole for each chunk).
                read.CommandText = """
                    SELECT b.key, b.connection_id, d.raw_json FROM batches b JOIN batch_documents d ON d.batch_key = b.key
                    WHERE b.key > @after ORDER BY b.key LIMIT @limit
                    """;
                read.Add("@after", after);
                read.Add("@limit", RecountChunk);
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    after = reader.Int64(0);
                    readAny = true;
                    if (reader.GetString(1) == connectionId && BatchReader.Read(reader.GetString(2)).Batch is { } batch)
                    {
                        var outcome = BatchOutcome.Of(batch);
                        outcomes[after] = outcome;
                        delta.Add(connectionId, outcome, +1);
                    }
                }
            }

            if (outcomes.Count == 0)
            {
                continue;
            }

            var errors = await ReadErrorCodesAsync(connection, transaction, $"r.batch_key BETWEEN {outcomes.Keys.Min()} AND {outcomes.Keys.Max()}", cancellationToken);
            foreach (var (batchKey, codes) in errors)
            {
                if (outcomes.TryGetValue(batchKey, out var outcome))
                {
                    delta.AddErrors(connectionId, outcome, codes, +1);
                    await WriteLedgerAsync(connection, transaction, batchKey, codes, cancellationToken);
                }
            }

            await delta.FlushAsync(connection, transaction, cancellationToken);
        }

        await using (var mark = connection.CreateCommand())
        {
            mark.Transaction = transaction;
            mark.CommandText = """
                INSERT INTO insight_states (connection_id, counted_at) VALUES (@connection, @now)
                ON CONFLICT (connection_id) DO UPDATE SET counted_at = excluded.counted_at
                """;
            mark.Add("@connection", connectionId);
            mark.Add("@now", timeProvider.GetUtcNow().ToUnixTimeSeconds());
            await mark.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        generation.Advance();
    }

    /// <summary>The connections whose first import is done but whose rollups were never counted (a cache from before them).</summary>
    public async Task RecountUncountedAsync(CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var uncounted = await context.SyncStates.AsNoTracking()
            .Where(s => s.InitialImportComplete && !context.InsightStates.Any(i => i.ConnectionId == s.ConnectionId))
            .Select(s => s.ConnectionId)
            .ToListAsync(cancellationToken);
        foreach (var connectionId in uncounted)
        {
            await RecountAsync(connectionId, cancellationToken, unlessCounted: true);
        }
    }

    /// <summary>
    /// After a batch's files were indexed: its failed requests by code replace what it added before. Nothing while
    /// its connection is not counted yet (the recount reads them then).
    /// </summary>
    public async Task RecordErrorsAsync(long batchKey, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var dialect = CacheDialect.Of(context);
        await context.Database.OpenConnectionAsync(cancellationToken);
        var connection = context.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        string connectionId;
        await using (var find = connection.CreateCommand())
        {
            find.Transaction = transaction;
            find.CommandText = "SELECT connection_id FROM batches WHERE key = @key";
            find.Add("@key", batchKey);
            if (await find.ExecuteScalarAsync(cancellationToken) is not string found)
            {
                return;
            }

            connectionId = found;
        }

        // The batch as it is once no other writer of its connection can move it (its errors follow it).
        await LockAsync(connection, transaction, dialect, connectionId, cancellationToken);
        Batch? batch;
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT raw_json FROM batch_documents WHERE batch_key = @key";
            read.Add("@key", batchKey);
            batch = await read.ExecuteScalarAsync(cancellationToken) is string json ? BatchReader.Read(json).Batch : null;
        }

        if (batch is null || !await IsCountedAsync(connection, transaction, connectionId, cancellationToken))
        {
            return;
        }

        var outcome = BatchOutcome.Of(batch);
        var before = await ReadLedgerAsync(connection, transaction, batchKey, cancellationToken);
        var now = (await ReadErrorCodesAsync(connection, transaction, $"r.batch_key = {batchKey}", cancellationToken)).GetValueOrDefault(batchKey) ?? [];
        var delta = new InsightDelta();
        delta.AddErrors(connectionId, outcome, before, -1);
        delta.AddErrors(connectionId, outcome, now, +1);
        await delta.FlushAsync(connection, transaction, cancellationToken);
        await WriteLedgerAsync(connection, transaction, batchKey, now, cancellationToken, replace: true);
        await transaction.CommitAsync(cancellationToken);
        // What was read from the rollups and the ledger (a report, a list by error code) is read again.
        generation.Advance();
    }

    /// <summary>
    /// What a batch's indexed files added, read when its own contribution moves (another day, model or metadata), so
    /// its errors move with it. Rare: a finished batch's columns seldom change.
    /// </summary>
    internal static async Task<Dictionary<string, long>> ReadLedgerAsync(DbConnection connection, DbTransaction transaction, long batchKey, CancellationToken cancellationToken)
    {
        var codes = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT code, requests FROM insight_error_batches WHERE batch_key = @key";
        command.Add("@key", batchKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            codes[reader.GetString(0)] = reader.Int64(1);
        }

        return codes;
    }

    private static async Task<Dictionary<long, Dictionary<string, long>>> ReadErrorCodesAsync(DbConnection connection, DbTransaction transaction,
        string batchCondition, CancellationToken cancellationToken)
    {
        var found = new Dictionary<long, Dictionary<string, long>>();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = ErrorCodesSql(batchCondition);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var batchKey = reader.Int64(0);
            if (!found.TryGetValue(batchKey, out var codes))
            {
                found[batchKey] = codes = new Dictionary<string, long>(StringComparer.Ordinal);
            }

            codes[reader.GetString(1)] = reader.Int64(2);
        }

        return found;
    }

    private static async Task WriteLedgerAsync(DbConnection connection, DbTransaction transaction, long batchKey, Dictionary<string, long> codes,
        CancellationToken cancellationToken, bool replace = false)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        if (replace)
        {
            command.CommandText = "DELETE FROM insight_error_batches WHERE batch_key = @key";
            command.Add("@key", batchKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        command.CommandText = "INSERT INTO insight_error_batches (batch_key, code, requests) VALUES (@key, @code, @requests)";
        foreach (var (code, requests) in codes)
        {
            command.Parameters.Clear();
            command.Add("@key", batchKey);
            command.Add("@code", code);
            command.Add("@requests", requests);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>A stable 64-bit key per connection for the advisory lock (FNV-1a of its id).</summary>
    private static long LockKeyOf(string connectionId)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in "insights:" + connectionId)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return unchecked((long)hash);
    }
}
