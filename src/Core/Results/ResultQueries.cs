using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using BatchDashboard.Core.Cache;
using Microsoft.EntityFrameworkCore;

namespace BatchDashboard.Core.Results;

/// <summary>What the results pages and exports read: the index in the cache, and the local copies of the files.</summary>
public interface IResultQueries
{
    /// <summary>Each of the batch's files the index knows, with where its indexing stands (live while it runs).</summary>
    Task<IReadOnlyList<ResultFileStatus>> GetFilesAsync(string connectionId, string batchId, CancellationToken cancellationToken);

    /// <summary>A page of requests in input order, filtered; <paramref name="after"/> is the previous page's <see cref="ResultPage.NextCursor"/>.</summary>
    Task<ResultPage> ListAsync(string connectionId, string batchId, ResultFilter filter, long? after, int pageSize, CancellationToken cancellationToken);

    /// <summary>Every request the filter selects, a page at a time (for exports).</summary>
    IAsyncEnumerable<ResultRow> AllAsync(string connectionId, string batchId, ResultFilter filter, CancellationToken cancellationToken);

    Task<ResultSummary> SummarizeAsync(string connectionId, string batchId, CancellationToken cancellationToken);

    /// <summary>One request by its exact custom_id, with its lines read from the local copies; null when not indexed.</summary>
    Task<ResultDetail?> GetAsync(string connectionId, string batchId, string customId, CancellationToken cancellationToken);

    /// <summary>
    /// Every request the filter selects, in input order, each with its input and result lines read from the local
    /// copies (null where there is none): for exports and retries, with the files held open throughout.
    /// </summary>
    IAsyncEnumerable<ResultDetail> DetailsAsync(string connectionId, string batchId, ResultFilter filter, CancellationToken cancellationToken);

    /// <summary>
    /// The model the batch's input file names (its first request's), once the index has read it: for a batch whose
    /// provider never reported one. Null until then, or when the file names none.
    /// </summary>
    Task<string?> GetInputModelAsync(string connectionId, string batchId, CancellationToken cancellationToken);

    /// <summary>Lines the index could not read, first ones first.</summary>
    Task<IReadOnlyList<ResultProblem>> GetProblemsAsync(string connectionId, string batchId, int limit, CancellationToken cancellationToken);

    /// <summary>The local copy of one of the batch's files, to stream; null when there is none.</summary>
    Task<Stream?> OpenLocalCopyAsync(string connectionId, string batchId, ResultFileKind kind, CancellationToken cancellationToken);
}

internal sealed class ResultQueries(IDbContextFactory<BatchCacheDbContext> contextFactory, ResultStore store, ResultIndexService indexing) : IResultQueries
{
    private const string Columns = "custom_id, outcome, status_code, error_code, error_message, input_tokens, cached_tokens, output_tokens, reasoning_tokens, input_line, result_kind, result_line, position";

    public async Task<string?> GetInputModelAsync(string connectionId, string batchId, CancellationToken cancellationToken)
    {
        if (await store.BatchKeyAsync(connectionId, batchId, cancellationToken) is not { } key)
        {
            return null;
        }

        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var input = ResultStore.NameOf(ResultFileKind.Input);
        return await context.ResultFiles.AsNoTracking().Where(f => f.BatchKey == key && f.Kind == input).Select(f => f.Model).FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ResultFileStatus>> GetFilesAsync(string connectionId, string batchId, CancellationToken cancellationToken)
    {
        if (indexing.GetProgress(connectionId, batchId) is { } live)
        {
            return live.Files;
        }

        if (await store.BatchKeyAsync(connectionId, batchId, cancellationToken) is not { } key)
        {
            return [];
        }

        return [.. (await store.GetFilesAsync(key, cancellationToken)).Select(indexing.Status).OrderBy(s => s.Kind)];
    }

    public async Task<ResultPage> ListAsync(string connectionId, string batchId, ResultFilter filter, long? after, int pageSize, CancellationToken cancellationToken)
    {
        if (await store.BatchKeyAsync(connectionId, batchId, cancellationToken) is not { } key)
        {
            return new ResultPage([], null);
        }

        var page = await ReadPageAsync(key, filter, after, pageSize, withOffsets: false, cancellationToken);
        return new ResultPage([.. page.Rows.Select(r => r.Row)], page.Next);
    }

    public async IAsyncEnumerable<ResultRow> AllAsync(string connectionId, string batchId, ResultFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long? after = null;
        do
        {
            var page = await ListAsync(connectionId, batchId, filter, after, 1000, cancellationToken);
            foreach (var row in page.Items)
            {
                yield return row;
            }

            after = page.NextCursor;
        }
        while (after is not null);
    }

    public async Task<ResultSummary> SummarizeAsync(string connectionId, string batchId, CancellationToken cancellationToken)
    {
        var outcomes = new Dictionary<RequestOutcome, int>();
        var errors = new List<ErrorGroup>();
        if (await store.BatchKeyAsync(connectionId, batchId, cancellationToken) is not { } key)
        {
            return new ResultSummary(outcomes, 0, errors, TokenCounts.Zero, null);
        }

        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var total = 0;
        var tokens = TokenCounts.Zero;
        await using (var command = await OpenCommandAsync(context, cancellationToken))
        {
            command.CommandText = """
                SELECT outcome, COUNT(*), SUM(input_tokens), SUM(cached_tokens), SUM(output_tokens), SUM(reasoning_tokens)
                FROM result_requests WHERE batch_key = @batch GROUP BY outcome
                """;
            command.Add("@batch", key);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var count = reader.Int32(1);
                outcomes[(RequestOutcome)reader.Int32(0)] = count;
                total += count;
                tokens = new TokenCounts(tokens.Input + reader.Int64(2), tokens.Cached + reader.Int64(3), tokens.Output + reader.Int64(4), tokens.Reasoning + reader.Int64(5));
            }
        }

        await using (var command = await OpenCommandAsync(context, cancellationToken))
        {
            // Each code's count, and the first request (in input order) as its example.
            command.CommandText = """
                SELECT g.error_code, g.count, r.custom_id, r.error_message
                FROM (SELECT error_code, COUNT(*) AS count, MIN(position) AS first FROM result_requests
                      WHERE batch_key = @batch AND error_code IS NOT NULL GROUP BY error_code) g
                JOIN result_requests r ON r.batch_key = @batch AND r.position = g.first AND r.error_code = g.error_code
                ORDER BY g.count DESC, g.error_code
                """;
            command.Add("@batch", key);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                errors.Add(new ErrorGroup(reader.GetString(0), reader.Int32(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }

        var model = await context.ResultFiles.AsNoTracking().Where(f => f.BatchKey == key && f.Model != null).Select(f => f.Model).FirstOrDefaultAsync(cancellationToken);
        return new ResultSummary(outcomes, total, errors, tokens, model);
    }

    public async Task<ResultDetail?> GetAsync(string connectionId, string batchId, string customId, CancellationToken cancellationToken)
    {
        await foreach (var detail in DetailsAsync(connectionId, batchId, new ResultFilter { ExactCustomId = customId }, cancellationToken))
        {
            return detail;
        }

        return null;
    }

    public async IAsyncEnumerable<ResultDetail> DetailsAsync(string connectionId, string batchId, ResultFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (await store.BatchKeyAsync(connectionId, batchId, cancellationToken) is not { } key)
        {
            yield break;
        }

        var files = (await store.GetFilesAsync(key, cancellationToken)).ToDictionary(f => ResultStore.KindOf(f.Kind));
        var open = new Dictionary<ResultFileKind, FileStream?>();
        try
        {
            long? after = null;
            do
            {
                var page = await ReadPageAsync(key, filter, after, 1000, withOffsets: true, cancellationToken);
                foreach (var (row, place) in page.Rows)
                {
                    var input = await ReadAsync(Stream(ResultFileKind.Input), place.InputOffset, place.InputLength, cancellationToken);
                    var result = row.ResultKind is { } kind ? await ReadAsync(Stream(kind), place.ResultOffset, place.ResultLength, cancellationToken) : null;
                    yield return new ResultDetail(row, input, result);
                }

                after = page.Next;
            }
            while (after is not null);
        }
        finally
        {
            foreach (var stream in open.Values)
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync();
                }
            }
        }

        FileStream? Stream(ResultFileKind kind)
        {
            if (!open.TryGetValue(kind, out var stream))
            {
                stream = OpenCopy(files.GetValueOrDefault(kind), FileOptions.RandomAccess);
                open[kind] = stream;
            }

            return stream;
        }
    }

    public async Task<IReadOnlyList<ResultProblem>> GetProblemsAsync(string connectionId, string batchId, int limit, CancellationToken cancellationToken)
    {
        if (await store.BatchKeyAsync(connectionId, batchId, cancellationToken) is not { } key)
        {
            return [];
        }

        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await context.ResultProblems.AsNoTracking().Where(p => p.BatchKey == key)
            .OrderBy(p => p.Kind).ThenBy(p => p.Line).Take(limit).ToListAsync(cancellationToken);
        return [.. rows.Select(p => new ResultProblem(ResultStore.KindOf(p.Kind), p.Line, p.Message))];
    }

    public async Task<Stream?> OpenLocalCopyAsync(string connectionId, string batchId, ResultFileKind kind, CancellationToken cancellationToken)
    {
        if (await store.BatchKeyAsync(connectionId, batchId, cancellationToken) is not { } key)
        {
            return null;
        }

        var file = (await store.GetFilesAsync(key, cancellationToken)).FirstOrDefault(f => f.Kind == ResultStore.NameOf(kind));
        return OpenCopy(file, FileOptions.SequentialScan);
    }

    /// <summary>The local copy of a file, or null when it is missing.</summary>
    private FileStream? OpenCopy(ResultFileRecord? file, FileOptions options)
    {
        var path = file?.LocalPath is { } relative ? Path.Combine(indexing.Folder, relative) : null;
        return path is not null && File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | options)
            : null;
    }

    private static async Task<string?> ReadAsync(FileStream? stream, long? offset, int? length, CancellationToken cancellationToken)
    {
        if (stream is null || offset is not { } start || length is not { } count || start + count > stream.Length)
        {
            return null;
        }

        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(count);
        try
        {
            stream.Seek(start, SeekOrigin.Begin);
            await stream.ReadExactlyAsync(buffer.AsMemory(0, count), cancellationToken);
            return Encoding.UTF8.GetString(buffer, 0, count);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private readonly record struct Place(long? InputOffset, int? InputLength, long? ResultOffset, int? ResultLength);

    private async Task<(List<(ResultRow Row, Place Place)> Rows, long? Next)> ReadPageAsync(long key, ResultFilter filter, long? after, int pageSize,
        bool withOffsets, CancellationToken cancellationToken)
    {
        pageSize = Math.Clamp(pageSize, 1, 1000);
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var command = await OpenCommandAsync(context, cancellationToken);
        var where = new StringBuilder("batch_key = @batch");
        command.Add("@batch", key);
        AppendFilter(where, command, filter);
        if (after is { } position)
        {
            where.Append(" AND position > @after");
            command.Add("@after", position);
        }

        command.Add("@limit", pageSize + 1);
        var offsets = withOffsets ? ", input_offset, input_length, result_offset, result_length" : "";
        command.CommandText = $"SELECT {Columns}{offsets} FROM result_requests WHERE {where} ORDER BY position LIMIT @limit";
        var rows = new List<(ResultRow, Place)>(pageSize + 1);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var place = withOffsets
                    ? new Place(reader.IsDBNull(13) ? null : reader.GetInt64(13), reader.IsDBNull(14) ? null : reader.GetInt32(14),
                        reader.IsDBNull(15) ? null : reader.GetInt64(15), reader.IsDBNull(16) ? null : reader.GetInt32(16))
                    : default;
                rows.Add((Row(reader), place));
            }
        }

        long? next = null;
        if (rows.Count > pageSize)
        {
            rows.RemoveAt(pageSize);
            next = rows[^1].Item1.Position;
        }

        return (rows, next);
    }

    private static void AppendFilter(StringBuilder where, DbCommand command, ResultFilter filter)
    {
        if (filter.Outcomes.Count > 0)
        {
            var names = filter.Outcomes.Distinct().Select((outcome, i) =>
            {
                command.Add($"@outcome{i}", (int)outcome);
                return $"@outcome{i}";
            });
            where.Append($" AND outcome IN ({string.Join(", ", names)})");
        }

        if (!string.IsNullOrEmpty(filter.ErrorCode))
        {
            where.Append(" AND error_code = @error_code");
            command.Add("@error_code", filter.ErrorCode);
        }

        if (filter.ExactCustomId is { } exact)
        {
            where.Append(" AND custom_id = @exact");
            command.Add("@exact", exact);
        }

        if (!string.IsNullOrWhiteSpace(filter.CustomId))
        {
            where.Append(" AND ").Append(command.Contains("custom_id", "@custom_id", filter.CustomId.Trim()));
        }
    }

    private static ResultRow Row(DbDataReader reader) => new(
        reader.GetString(0),
        (RequestOutcome)reader.GetInt32(1),
        reader.IsDBNull(2) ? null : reader.GetInt32(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        new TokenCounts(reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8)),
        reader.IsDBNull(9) ? null : reader.GetInt32(9),
        reader.IsDBNull(10) ? null : ResultStore.KindOf(reader.GetString(10)),
        reader.IsDBNull(11) ? null : reader.GetInt32(11),
        reader.GetInt64(12));

    private static async Task<DbCommand> OpenCommandAsync(BatchCacheDbContext context, CancellationToken cancellationToken)
    {
        await context.Database.OpenConnectionAsync(cancellationToken);
        return context.Database.GetDbConnection().CreateCommand();
    }
}
