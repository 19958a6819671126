using System.Data.Common;
using BatchDashboard.Core.Batches;
using Microsoft.EntityFrameworkCore;

namespace BatchDashboard.Core.Cache;

/// <summary>What one write of batches did to the cache.</summary>
/// <param name="Added">Batches the cache did not have.</param>
/// <param name="Changed">Batches added or whose content changed (what pages must re-read).</param>
/// <param name="Stale">Batches ignored because the cache already holds a later state of them.</param>
internal sealed record StoreResult(IReadOnlyList<string> Added, IReadOnlyList<string> Changed, IReadOnlyList<string> Stale);

/// <summary>A cached batch that has not finished, as the sync needs it.</summary>
internal sealed record ActiveBatch(string Id, long CreatedAt);

/// <summary>
/// The sync's writes into the cache. Each call is one transaction: a failure leaves the cache as it was. A response
/// older than what is cached (a lower status, or fewer finished requests in the same status) is ignored, so a
/// finished batch never goes back. Snapshots are written only when status or counts change.
/// </summary>
internal sealed class BatchStore(IDbContextFactory<BatchCacheDbContext> contextFactory, TimeProvider timeProvider, CacheGeneration generation,
    InsightRollups insights)
{
    private const string UpsertSql = """
        INSERT INTO batches (connection_id, id, status, status_raw, is_terminal, endpoint, model, input_file_id, output_file_id,
            error_file_id, created_at, expires_at, ended_at, request_total, request_completed, request_failed, alarm,
            failed_share, phase, phase_started_at, search_text, first_seen_at, updated_at)
        VALUES (@connection, @id, @status, @status_raw, @is_terminal, @endpoint, @model, @input_file_id, @output_file_id,
            @error_file_id, @created_at, @expires_at, @ended_at, @request_total, @request_completed, @request_failed, @alarm,
            @failed_share, @phase, @phase_started_at, @search_text, @now, @now)
        ON CONFLICT (connection_id, id) DO UPDATE SET
            status = excluded.status, status_raw = excluded.status_raw, is_terminal = excluded.is_terminal,
            endpoint = excluded.endpoint, model = excluded.model, input_file_id = excluded.input_file_id,
            output_file_id = excluded.output_file_id, error_file_id = excluded.error_file_id, created_at = excluded.created_at,
            expires_at = excluded.expires_at, ended_at = excluded.ended_at, request_total = excluded.request_total,
            request_completed = excluded.request_completed, request_failed = excluded.request_failed,
            alarm = excluded.alarm, failed_share = excluded.failed_share, phase = excluded.phase, phase_started_at = excluded.phase_started_at,
            search_text = excluded.search_text, updated_at = excluded.updated_at
        RETURNING key;
        """;

    private const string DocumentSql = """
        INSERT INTO batch_documents (batch_key, raw_json) VALUES (@key, @raw_json)
        ON CONFLICT (batch_key) DO UPDATE SET raw_json = excluded.raw_json;
        """;

    public async Task<StoreResult> UpsertAsync(string connectionId, IReadOnlyList<Batch> batches, CancellationToken cancellationToken)
    {
        if (batches.Count == 0)
        {
            return new StoreResult([], [], []);
        }

        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        await context.Database.OpenConnectionAsync(cancellationToken);
        var connection = context.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var dialect = CacheDialect.Of(context);
        // Before the cached state is read: the rollups take away what that state added, so two writers of one
        // connection must not both read the same state (PostgreSQL; SQLite's writers take turns already).
        await InsightRollups.LockAsync(connection, transaction, dialect, connectionId, cancellationToken);
        var existing = await ReadExistingAsync(connection, transaction, connectionId, batches, cancellationToken);
        var (searchIndexed, imported) = await EnsureSyncStateAsync(connection, transaction, dialect, connectionId, cancellationToken);
        var indexSearch = searchIndexed && dialect.HasSearchTable;
        var rollups = await InsightRollups.IsCountedAsync(connection, transaction, connectionId, cancellationToken) ? new InsightDelta() : null;
        await using var commands = new Commands(connection, transaction, dialect);
        var added = new List<string>();
        var changed = new List<string>();
        var stale = new List<string>();
        foreach (var batch in batches)
        {
            var found = existing.TryGetValue(batch.Id, out var cached);
            if (found && IsStale(batch, cached!))
            {
                stale.Add(batch.Id);
                continue;
            }

            if (found && cached!.RawJson == batch.RawJson)
            {
                continue;
            }

            var searchText = SearchTextOf(batch);
            var key = await commands.UpsertAsync(connectionId, batch, searchText, now, cancellationToken);
            if (indexSearch && (!found || SearchTextOf(cached!) != searchText))
            {
                await commands.IndexSearchTextAsync(key, searchText, replace: found, cancellationToken);
            }

            if (!found || !SameMetadata(cached!, batch))
            {
                await commands.ReplaceMetadataAsync(key, batch, found, cancellationToken);
            }

            if (!found || cached!.Status.Kind != batch.Status.Kind || cached.Status.Raw != batch.Status.Raw || cached.RequestCounts != batch.RequestCounts)
            {
                await commands.SnapshotAsync(key, batch, now, cancellationToken);
            }

            if (TokenLimitFailure.LimitOf(batch) is { } taught)
            {
                await commands.LearnLimitAsync(connectionId, batch.Id, taught, cancellationToken);
            }

            // An end seen after the first import is an event to tell of (NotificationRecords), with the status that
            // records it: the history a first import brings is not news.
            if (imported && batch.Status.IsTerminal && (!found || !cached!.Status.IsTerminal))
            {
                await commands.RecordEventAsync(connectionId, batch.Id, batch.Status.Name, now, cancellationToken);
            }

            if (rollups is not null)
            {
                await AddToRollupsAsync(rollups, connection, transaction, connectionId, key, found ? cached : null, batch, cancellationToken);
            }

            existing[batch.Id] = batch;
            changed.Add(batch.Id);
            if (!found)
            {
                added.Add(batch.Id);
            }
        }

        if (rollups is not null)
        {
            await rollups.FlushAsync(connection, transaction, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (changed.Count > 0)
        {
            generation.Advance();
        }

        return new StoreResult(added, changed, stale);
    }

    /// <summary>
    /// The batch's change to the insights' rollups: what its cached state added goes, what it adds now comes. Its
    /// indexed errors move with it when it moves to another day, model or metadata (rare once it has ended).
    /// </summary>
    private static async Task AddToRollupsAsync(InsightDelta rollups, DbConnection connection, DbTransaction transaction, string connectionId,
        long key, Batch? cached, Batch batch, CancellationToken cancellationToken)
    {
        var now = BatchOutcome.Of(batch);
        rollups.Add(connectionId, now, +1);
        if (cached is null)
        {
            return;
        }

        var before = BatchOutcome.Of(cached);
        rollups.Add(connectionId, before, -1);
        if ((before.Day != now.Day || before.Endpoint != now.Endpoint || before.Model != now.Model || !before.Metadata.SequenceEqual(now.Metadata))
            && await InsightRollups.ReadLedgerAsync(connection, transaction, key, cancellationToken) is { Count: > 0 } errors)
        {
            rollups.AddErrors(connectionId, before, errors, -1);
            rollups.AddErrors(connectionId, now, errors, +1);
        }
    }

    /// <summary>
    /// Indexes that serve only reads, as each is defined (SQLite): the failures sort's (migration FailuresSortIndex),
    /// created order within an endpoint or a model, and the "needs attention" count's (BatchRecordConfiguration). Their order is unlike the order
    /// batches arrive in, so each page of batches stored writes pages of each: the failures sort's alone took a third
    /// of what a first import wrote. A first import into an empty cache therefore goes without them and builds each
    /// in one pass at its end (<see cref="StartFirstImportAsync"/>, <see cref="FinishFirstImportAsync"/>); start-up
    /// builds them when an import was cut short. Meanwhile those queries read other indexes: the same answers, later.
    /// </summary>
    internal static readonly IReadOnlyList<(string Name, string Create)> DeferredIndexes =
    [
        ("ix_batches_failures", "CREATE INDEX IF NOT EXISTS ix_batches_failures ON batches (COALESCE(request_failed, 0), id);"),
        ("ix_batches_endpoint_created", "CREATE INDEX IF NOT EXISTS ix_batches_endpoint_created ON batches (endpoint, created_at, id);"),
        ("ix_batches_model_created", "CREATE INDEX IF NOT EXISTS ix_batches_model_created ON batches (model, created_at, id);"),
        ("ix_batches_alarm", "CREATE INDEX IF NOT EXISTS ix_batches_alarm ON batches (alarm, connection_id, endpoint, model) WHERE alarm = 1;"),
        ("ix_batches_failed_share",
            "CREATE INDEX IF NOT EXISTS ix_batches_failed_share ON batches (failed_share, alarm, connection_id, endpoint, model) WHERE failed_share IS NOT NULL;"),
    ];

    /// <summary>The statements that build whichever deferred indexes are missing (a look at the schema for the others).</summary>
    internal static string BuildDeferredIndexesSql => string.Join('\n', DeferredIndexes.Select(index => index.Create));

    /// <summary>Before a first import: leaves the deferred indexes out while the cache holds no batch at all (SQLite).</summary>
    public async Task StartFirstImportAsync(CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (!CacheDialect.Of(context).IsSqlite)
        {
            return;
        }

        await context.Database.OpenConnectionAsync(cancellationToken);
        var connection = context.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM batches);";
        if (DbCommandExtensions.AsInt64(await command.ExecuteScalarAsync(cancellationToken)) == 0)
        {
            command.CommandText = string.Join('\n', DeferredIndexes.Select(index => $"DROP INDEX IF EXISTS {index.Name};"));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// After a connection's first import: its insights' rollups counted, its batches into the free-text index, the
    /// deferred indexes when they were left out, then the planner's statistics. Each in one pass.
    /// </summary>
    public async Task FinishFirstImportAsync(string connectionId, CancellationToken cancellationToken)
    {
        await insights.RecountAsync(connectionId, cancellationToken);
        await BuildSearchIndexAsync(connectionId, cancellationToken);
        await BuildDeferredIndexesAsync(cancellationToken);
        await AnalyzeAsync(cancellationToken);
    }

    /// <summary>Builds the deferred indexes a first import left out (SQLite).</summary>
    public async Task BuildDeferredIndexesAsync(CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (CacheDialect.Of(context).IsSqlite)
        {
            await context.Database.ExecuteSqlRawAsync(BuildDeferredIndexesSql, cancellationToken);
        }
    }

    /// <summary>
    /// Puts every batch of the connection into the free-text index in one transaction (about 5 s for 100,000 on two
    /// cores), and marks it indexed so that later writes keep it current. Called once, after the first import.
    /// </summary>
    public async Task BuildSearchIndexAsync(string connectionId, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        await context.Database.OpenConnectionAsync(cancellationToken);
        var connection = context.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var dialect = CacheDialect.Of(context);
        if (!(await EnsureSyncStateAsync(connection, transaction, dialect, connectionId, cancellationToken)).SearchIndexed)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            // PostgreSQL's trigram index is on the batches themselves, and always current: only the flag to set.
            var fill = dialect.HasSearchTable
                ? "INSERT INTO batch_search (rowid, text) SELECT key, search_text FROM batches WHERE connection_id = @connection;"
                : "";
            command.CommandText = $"""
                {fill}
                INSERT INTO sync_states (connection_id, initial_import_complete, search_indexed) VALUES (@connection, {dialect.False}, {dialect.True})
                ON CONFLICT (connection_id) DO UPDATE SET search_indexed = {dialect.True};
                """;
            command.Add("@connection", connectionId);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Takes the query planner's statistics (SQLite's ANALYZE). Without them it takes an equality on a column of a
    /// few values, such as the status, for a selective one, and sorts thousands of rows where walking the created
    /// index would stop after a page. Called once the first import has filled the cache; start-up refreshes them.
    /// </summary>
    public async Task AnalyzeAsync(CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        await context.Database.ExecuteSqlRawAsync("ANALYZE;", cancellationToken);
    }

    /// <summary>
    /// Fills the current phase of running batches cached before the cache kept it (migration NeedsAttention), from
    /// their documents. Start-up calls it; afterwards it finds nothing to do (a running batch without any timestamp
    /// has no phase, and is read again, alone).
    /// </summary>
    internal static async Task FillPhasesAsync(BatchCacheDbContext context, CancellationToken cancellationToken)
    {
        var dialect = CacheDialect.Of(context);
        var phases = new List<(long Key, string Kind, long Start)>();
        await context.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = context.Database.GetDbConnection();
            await using (var read = connection.CreateCommand())
            {
                read.CommandText = $"""
                    SELECT b.key, d.raw_json FROM batches b JOIN batch_documents d ON d.batch_key = b.key
                    WHERE b.is_terminal = {dialect.False} AND b.phase IS NULL
                    """;
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    if (BatchReader.Read(reader.GetString(1)).Batch is { } batch && AttentionOf(batch).Phase is { } phase)
                    {
                        phases.Add((reader.Int64(0), BatchStatus.NameOf(phase.Kind), phase.Start.ToUnixTimeSeconds()));
                    }
                }
            }

            foreach (var (key, kind, start) in phases)
            {
                await using var update = connection.CreateCommand();
                update.CommandText = "UPDATE batches SET phase = @phase, phase_started_at = @start WHERE key = @key";
                update.Add("@phase", kind);
                update.Add("@start", start);
                update.Add("@key", key);
                await update.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        finally
        {
            await context.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The limits that failed batches already cached name (see <see cref="TokenLimitFailure.LimitOf"/>).</summary>
    internal static async Task LearnLimitsFromCachedAsync(BatchCacheDbContext context, CancellationToken cancellationToken)
    {
        var lessons = new List<(string ConnectionId, string BatchId, (string Model, long Tokens, DateTimeOffset At) Taught)>();
        await context.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = context.Database.GetDbConnection();
            await using (var read = connection.CreateCommand())
            {
                read.CommandText = """
                    SELECT b.connection_id, d.raw_json FROM batches b JOIN batch_documents d ON d.batch_key = b.key
                    WHERE b.status = 'failed' AND d.raw_json LIKE '%token_limit_exceeded%'
                    """;
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    if (BatchReader.Read(reader.GetString(1)).Batch is { } batch && TokenLimitFailure.LimitOf(batch) is { } taught)
                    {
                        lessons.Add((reader.GetString(0), batch.Id, taught));
                    }
                }
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var commands = new Commands(connection, transaction, CacheDialect.Of(context)))
            {
                foreach (var (connectionId, batchId, taught) in lessons)
                {
                    await commands.LearnLimitAsync(connectionId, batchId, taught, cancellationToken);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            await context.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// The connection's batches by status (from the counts the triggers keep) and its running batches' unfinished
    /// requests (from the partial index of running batches): for the telemetry's gauges.
    /// </summary>
    public async Task<(IReadOnlyDictionary<string, int> ByStatus, long RequestsInFlight)> CountAsync(string connectionId, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var dialect = CacheDialect.Of(context);
        await context.Database.OpenConnectionAsync(cancellationToken);
        await using var command = context.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"""
            SELECT name, SUM(count) FROM batch_counts WHERE connection_id = @connection GROUP BY name HAVING SUM(count) > 0;
            SELECT COALESCE(SUM({dialect.Greatest("COALESCE(request_total, 0) - COALESCE(request_completed, 0) - COALESCE(request_failed, 0)", "0")}), 0)
            FROM batches{dialect.IndexedBy("ix_batches_active")} WHERE connection_id = @connection AND is_terminal = {dialect.False};
            """;
        command.Add("@connection", connectionId);
        var byStatus = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            byStatus[reader.GetString(0)] = reader.Int32(1);
        }

        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (byStatus, reader.Int64(0));
    }

    /// <summary>How many of these batches the cache already holds.</summary>
    public async Task<int> CountCachedAsync(string connectionId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.Batches.CountAsync(b => b.ConnectionId == connectionId && ids.Contains(b.Id), cancellationToken);
    }

    /// <summary>How long a batch with a status this version does not know is still treated as running.</summary>
    public static readonly TimeSpan UnknownStatusActiveFor = TimeSpan.FromHours(48);

    /// <summary>
    /// The connection's unfinished batches, newest first: the ones the sync refreshes. A batch whose status is
    /// unknown counts only for <see cref="UnknownStatusActiveFor"/> after its creation, so a provider whose finished
    /// batches use another vocabulary does not get every old batch fetched on every cycle.
    /// </summary>
    public async Task<List<ActiveBatch>> GetActiveAsync(string connectionId, CancellationToken cancellationToken)
    {
        var unknownSince = (timeProvider.GetUtcNow() - UnknownStatusActiveFor).ToUnixTimeSeconds();
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.Batches.AsNoTracking()
            .Where(b => b.ConnectionId == connectionId && !b.IsTerminal && (b.Status != "unknown" || b.CreatedAt >= unknownSince))
            .OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id)
            .Select(b => new ActiveBatch(b.Id, b.CreatedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>How many cached batches of the connection are at least as new as <paramref name="createdAt"/>: a batch's depth in the list.</summary>
    public async Task<int> CountAtLeastAsNewAsync(string connectionId, long createdAt, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.Batches.CountAsync(b => b.ConnectionId == connectionId && b.CreatedAt >= createdAt, cancellationToken);
    }

    public async Task<SyncStateRecord> GetSyncStateAsync(string connectionId, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.SyncStates.AsNoTracking().FirstOrDefaultAsync(s => s.ConnectionId == connectionId, cancellationToken)
            ?? new SyncStateRecord { ConnectionId = connectionId };
    }

    public async Task SaveSyncStateAsync(SyncStateRecord state, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var exists = await context.SyncStates.AnyAsync(s => s.ConnectionId == state.ConnectionId, cancellationToken);
        context.Entry(state).State = exists ? EntityState.Modified : EntityState.Added;
        await context.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Creates the connection's sync state when missing (every connection with cached batches has one, so queries
    /// find the unindexed ones in that small table), and says whether its batches are in the free-text index and
    /// whether its first import is done (an end seen before that is history, not an event).
    /// </summary>
    private static async Task<(bool SearchIndexed, bool Imported)> EnsureSyncStateAsync(DbConnection connection, DbTransaction transaction, CacheDialect dialect,
        string connectionId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT INTO sync_states (connection_id, initial_import_complete, search_indexed) VALUES (@connection, {dialect.False}, {dialect.False})
            ON CONFLICT (connection_id) DO NOTHING;
            SELECT search_indexed, initial_import_complete FROM sync_states WHERE connection_id = @connection;
            """;
        command.Add("@connection", connectionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (DbCommandExtensions.AsInt64(reader.GetValue(0)) != 0, DbCommandExtensions.AsInt64(reader.GetValue(1)) != 0);
    }

    private static bool IsStale(Batch incoming, Batch cached)
    {
        var incomingRank = incoming.Status.Rank;
        var cachedRank = cached.Status.Rank;
        if (incomingRank != cachedRank)
        {
            return incomingRank < cachedRank;
        }

        // Same stage: fewer finished requests means an older answer.
        static int Done(RequestCounts? counts) => (counts?.Completed ?? 0) + (counts?.Failed ?? 0);
        return incoming.Status.Kind == cached.Status.Kind && Done(incoming.RequestCounts) < Done(cached.RequestCounts);
    }

    private static bool SameMetadata(Batch cached, Batch batch) =>
        cached.Metadata.Count == batch.Metadata.Count
        && cached.Metadata.All(pair => batch.Metadata.TryGetValue(pair.Key, out var value) && value == pair.Value);

    /// <summary>The cached state of these batches, read from their cached JSON: one source of truth.</summary>
    private static async Task<Dictionary<string, Batch>> ReadExistingAsync(DbConnection connection, DbTransaction transaction,
        string connectionId, IReadOnlyList<Batch> batches, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, Batch>(StringComparer.Ordinal);
        // SQLite allows 32,766 parameters, PostgreSQL 65,535; stay well under both.
        foreach (var chunk in batches.Select(b => b.Id).Distinct().Chunk(500))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var names = new string[chunk.Length];
            for (var i = 0; i < chunk.Length; i++)
            {
                names[i] = "@p" + i;
                command.Add(names[i], chunk[i]);
            }

            command.Add("@connection", connectionId);
            command.CommandText = $"""
                SELECT d.raw_json FROM batches b JOIN batch_documents d ON d.batch_key = b.key
                WHERE b.connection_id = @connection AND b.id IN ({string.Join(',', names)})
                """;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (BatchReader.Read(reader.GetString(0)).Batch is { } cached)
                {
                    found[cached.Id] = cached;
                }
            }
        }

        return found;
    }

    /// <summary>The statements of one transaction, each compiled when first needed and reused for every batch in it.</summary>
    private sealed class Commands(DbConnection connection, DbTransaction transaction, CacheDialect dialect) : IAsyncDisposable
    {
        private readonly List<CacheStatement> _prepared = [];
        private CacheStatement? _upsert;
        private CacheStatement? _document;
        private CacheStatement? _deleteMetadata;
        private CacheStatement? _insertMetadata;
        private CacheStatement? _snapshot;
        private CacheStatement? _indexSearch;
        private CacheStatement? _reindexSearch;
        private CacheStatement? _learnLimit;
        private CacheStatement? _recordEvent;

        /// <summary>Writes the batch's columns and document; returns its key.</summary>
        public async Task<long> UpsertAsync(string connectionId, Batch batch, string searchText, long now, CancellationToken cancellationToken)
        {
            var command = _upsert ??= Prepare(UpsertSql, "@connection", "@id", "@status", "@status_raw", "@is_terminal", "@endpoint", "@model",
                "@input_file_id", "@output_file_id", "@error_file_id", "@created_at", "@expires_at", "@ended_at", "@request_total",
                "@request_completed", "@request_failed", "@alarm", "@failed_share", "@phase", "@phase_started_at", "@search_text", "@now");
            command.Set("@connection", connectionId);
            command.Set("@id", batch.Id);
            command.Set("@status", BatchStatus.NameOf(batch.Status.Kind));
            command.Set("@status_raw", batch.Status.Raw);
            command.Set("@is_terminal", batch.Status.IsTerminal);
            command.Set("@endpoint", batch.Endpoint);
            command.Set("@model", batch.Model);
            command.Set("@input_file_id", batch.InputFileId);
            command.Set("@output_file_id", batch.OutputFileId);
            command.Set("@error_file_id", batch.ErrorFileId);
            command.Set("@created_at", batch.CreatedAt?.ToUnixTimeSeconds() ?? 0);
            command.Set("@expires_at", batch.ExpiresAt?.ToUnixTimeSeconds());
            command.Set("@ended_at", EndedAt(batch)?.ToUnixTimeSeconds());
            command.Set("@request_total", batch.RequestCounts?.Total);
            command.Set("@request_completed", batch.RequestCounts?.Completed);
            command.Set("@request_failed", batch.RequestCounts?.Failed);
            var (alarm, failedShare, phase) = AttentionOf(batch);
            command.Set("@alarm", alarm);
            command.Set("@failed_share", failedShare);
            command.Set("@phase", phase is null ? null : BatchStatus.NameOf(phase.Kind));
            command.Set("@phase_started_at", phase?.Start.ToUnixTimeSeconds());
            command.Set("@search_text", searchText);
            command.Set("@now", now);
            var key = await command.ExecuteScalarAsync(cancellationToken);

            var document = _document ??= Prepare(DocumentSql, "@key", "@raw_json");
            document.Set("@key", key);
            document.Set("@raw_json", batch.RawJson);
            await document.ExecuteAsync(cancellationToken);
            return key;
        }

        /// <summary>Keeps the free-text index (rowid = the batch's key) in step with the batch's searchable text.</summary>
        public async Task IndexSearchTextAsync(long key, string text, bool replace, CancellationToken cancellationToken)
        {
            var command = replace
                ? _reindexSearch ??= Prepare("INSERT OR REPLACE INTO batch_search (rowid, text) VALUES (@key, @text)", "@key", "@text")
                : _indexSearch ??= Prepare("INSERT INTO batch_search (rowid, text) VALUES (@key, @text)", "@key", "@text");
            command.Set("@key", key);
            command.Set("@text", text);
            await command.ExecuteAsync(cancellationToken);
        }

        public async Task ReplaceMetadataAsync(long key, Batch batch, bool existed, CancellationToken cancellationToken)
        {
            if (existed)
            {
                var delete = _deleteMetadata ??= Prepare("DELETE FROM batch_metadata WHERE batch_key = @key", "@key");
                delete.Set("@key", key);
                await delete.ExecuteAsync(cancellationToken);
            }

            foreach (var (name, value) in batch.Metadata)
            {
                var insert = _insertMetadata ??= Prepare("INSERT INTO batch_metadata (batch_key, key, value) VALUES (@key, @name, @value)", "@key", "@name", "@value");
                insert.Set("@key", key);
                insert.Set("@name", name);
                insert.Set("@value", value);
                await insert.ExecuteAsync(cancellationToken);
            }
        }

        public async Task SnapshotAsync(long key, Batch batch, long now, CancellationToken cancellationToken)
        {
            var command = _snapshot ??= Prepare("""
                INSERT INTO batch_snapshots (batch_key, observed_at, status, request_total, request_completed, request_failed)
                VALUES (@key, @now, @status, @total, @completed, @failed)
                """, "@key", "@now", "@status", "@total", "@completed", "@failed");
            command.Set("@key", key);
            command.Set("@now", now);
            command.Set("@status", batch.Status.Name);
            command.Set("@total", batch.RequestCounts?.Total);
            command.Set("@completed", batch.RequestCounts?.Completed);
            command.Set("@failed", batch.RequestCounts?.Failed);
            await command.ExecuteAsync(cancellationToken);
        }

        /// <summary>Keeps the newest limit per connection and model, whatever order the batches arrive in.</summary>
        public async Task LearnLimitAsync(string connectionId, string batchId, (string Model, long Tokens, DateTimeOffset At) taught, CancellationToken cancellationToken)
        {
            var command = _learnLimit ??= Prepare("""
                INSERT INTO learned_limits (connection_id, model, tokens, batch_id, learned_at)
                VALUES (@connection, @model, @tokens, @batch, @at)
                ON CONFLICT (connection_id, model) DO UPDATE SET tokens = excluded.tokens, batch_id = excluded.batch_id, learned_at = excluded.learned_at
                WHERE excluded.learned_at >= learned_limits.learned_at
                """, "@connection", "@model", "@tokens", "@batch", "@at");
            command.Set("@connection", connectionId);
            command.Set("@model", taught.Model);
            command.Set("@tokens", taught.Tokens);
            command.Set("@batch", batchId);
            command.Set("@at", taught.At.ToUnixTimeSeconds());
            await command.ExecuteAsync(cancellationToken);
        }

        public async Task RecordEventAsync(string connectionId, string batchId, string kind, long now, CancellationToken cancellationToken)
        {
            var command = _recordEvent ??= Prepare($"""
                INSERT INTO batch_events (connection_id, batch_id, kind, occurred_at, matched) VALUES (@connection, @batch, @kind, @at, {dialect.False})
                ON CONFLICT (connection_id, batch_id, kind) DO NOTHING
                """, "@connection", "@batch", "@kind", "@at");
            command.Set("@connection", connectionId);
            command.Set("@batch", batchId);
            command.Set("@kind", kind);
            command.Set("@at", now);
            await command.ExecuteAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var statement in _prepared)
            {
                await statement.DisposeAsync();
            }
        }

        private CacheStatement Prepare(string sql, params string[] parameters)
        {
            var statement = CacheStatement.Prepare(connection, transaction, sql, parameters);
            _prepared.Add(statement);
            return statement;
        }
    }

    /// <summary>
    /// The columns the "needs attention" filter reads, from one look at the batch: its fixed alarms, its failed share,
    /// and the phase a running batch is in as its page shows it (null once it has ended, or without timestamps).
    /// </summary>
    internal static (bool Alarm, double? FailedShare, BatchPhase? Phase) AttentionOf(Batch batch)
    {
        // The moment does not matter: neither the fixed alarms nor when the current phase began depend on it.
        var insights = BatchInsights.Of(batch, batch.CreatedAt ?? DateTimeOffset.UnixEpoch);
        return (BatchAttention.Alarm(batch, insights), BatchAttention.FailedShare(batch.RequestCounts), batch.Status.IsTerminal ? null : insights.CurrentPhase);
    }

    /// <summary>The batch's own terminal timestamp, for durations; null while it runs.</summary>
    internal static DateTimeOffset? EndedAt(Batch batch) => batch.Status.Kind switch
    {
        BatchStatusKind.Completed => batch.CompletedAt,
        BatchStatusKind.Failed => batch.FailedAt ?? batch.CompletedAt,
        BatchStatusKind.Expired => batch.ExpiredAt,
        BatchStatusKind.Cancelled => batch.CancelledAt,
        _ => null,
    };

    internal static string SearchTextOf(Batch batch)
    {
        var parts = new List<string>(4 + batch.Metadata.Count) { batch.Id };
        if (batch.InputFileId is { } input) { parts.Add(input); }
        if (batch.OutputFileId is { } output) { parts.Add(output); }
        if (batch.ErrorFileId is { } error) { parts.Add(error); }
        foreach (var (key, value) in batch.Metadata)
        {
            parts.Add($"{key}={value}");
        }

        return string.Join('\n', parts).ToLowerInvariant();
    }
}
