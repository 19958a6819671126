using System.Data.Common;
using BatchDashboard.Core.Cache;
using Microsoft.EntityFrameworkCore;

namespace BatchDashboard.Core.Results;

/// <summary>A line of a batch's file as the index takes it in: where it is, and what it says (or why it could not be read).</summary>
internal readonly record struct IndexedLine(int Number, long Offset, int Length, InputLine? Input, ResultLine? Result, string? Problem);

/// <summary>The results index's write side: one transaction per slice of lines, upserting each request by custom_id.</summary>
internal sealed class ResultStore(IDbContextFactory<BatchCacheDbContext> contextFactory)
{
    /// <summary>Results with no input line sort after every input line.</summary>
    public const long NoInputPosition = 1_000_000_000;

    private const string InputSql = """
        INSERT INTO result_requests (batch_key, custom_id, position, input_line, input_offset, input_length, outcome,
            input_tokens, cached_tokens, output_tokens, reasoning_tokens)
        VALUES (@batch, @custom_id, @line, @line, @offset, @length, 0, 0, 0, 0, 0)
        ON CONFLICT (batch_key, custom_id) DO UPDATE SET
            position = excluded.position, input_line = excluded.input_line, input_offset = excluded.input_offset,
            input_length = excluded.input_length;
        """;

    private const string ResultSql = """
        INSERT INTO result_requests (batch_key, custom_id, position, result_kind, result_line, result_offset, result_length,
            outcome, status_code, error_code, error_message, input_tokens, cached_tokens, output_tokens, reasoning_tokens)
        VALUES (@batch, @custom_id, @position, @kind, @line, @offset, @length, @outcome, @status_code, @error_code, @error_message,
            @input_tokens, @cached_tokens, @output_tokens, @reasoning_tokens)
        ON CONFLICT (batch_key, custom_id) DO UPDATE SET
            result_kind = excluded.result_kind, result_line = excluded.result_line, result_offset = excluded.result_offset,
            result_length = excluded.result_length, outcome = excluded.outcome, status_code = excluded.status_code,
            error_code = excluded.error_code, error_message = excluded.error_message, input_tokens = excluded.input_tokens,
            cached_tokens = excluded.cached_tokens, output_tokens = excluded.output_tokens, reasoning_tokens = excluded.reasoning_tokens;
        """;

    public async Task<long?> BatchKeyAsync(string connectionId, string batchId, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.Batches.AsNoTracking().Where(b => b.ConnectionId == connectionId && b.Id == batchId)
            .Select(b => (long?)b.Key).FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<List<ResultFileRecord>> GetFilesAsync(long batchKey, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.ResultFiles.AsNoTracking().Where(f => f.BatchKey == batchKey).ToListAsync(cancellationToken);
    }

    public async Task SaveFileAsync(ResultFileRecord file, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var key = await context.ResultFiles.AsNoTracking().Where(f => f.BatchKey == file.BatchKey && f.Kind == file.Kind)
            .Select(f => (long?)f.Key).FirstOrDefaultAsync(cancellationToken);
        if (key is { } existing)
        {
            file.Key = existing;
            context.ResultFiles.Update(file);
        }
        else
        {
            file.Key = 0;
            context.ResultFiles.Add(file);
        }

        await context.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Forgets the problems found in a file before it is read again.</summary>
    public async Task ClearProblemsAsync(long batchKey, string kind, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        await context.ResultProblems.Where(p => p.BatchKey == batchKey && p.Kind == kind).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Writes a slice of a file's lines and the file's progress, together.</summary>
    public async Task WriteAsync(long batchKey, ResultFileKind kind, IReadOnlyList<IndexedLine> lines, ResultFileProgress progress, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        await context.Database.OpenConnectionAsync(cancellationToken);
        var connection = context.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Each statement compiled once for the slice (see CacheStatement).
        await using var input = CacheStatement.Prepare(connection, transaction, InputSql, "@batch", "@custom_id", "@line", "@offset", "@length");
        await using var result = CacheStatement.Prepare(connection, transaction, ResultSql, "@batch", "@custom_id", "@position", "@kind", "@line", "@offset",
            "@length", "@outcome", "@status_code", "@error_code", "@error_message", "@input_tokens", "@cached_tokens", "@output_tokens", "@reasoning_tokens");
        await using var problem = CacheStatement.Prepare(connection, transaction,
            "INSERT INTO result_problems (batch_key, kind, line, message) VALUES (@batch, @kind, @line, @message);", "@batch", "@kind", "@line", "@message");
        var kindName = NameOf(kind);
        foreach (var line in lines)
        {
            if (line.Problem is { } message)
            {
                problem.Set("@batch", batchKey);
                problem.Set("@kind", kindName);
                problem.Set("@line", line.Number);
                problem.Set("@message", message);
                await problem.ExecuteAsync(cancellationToken);
            }
            else if (line.Input is { } request)
            {
                input.Set("@batch", batchKey);
                input.Set("@custom_id", request.CustomId);
                input.Set("@line", line.Number);
                input.Set("@offset", line.Offset);
                input.Set("@length", line.Length);
                await input.ExecuteAsync(cancellationToken);
            }
            else if (line.Result is { } answer)
            {
                result.Set("@batch", batchKey);
                result.Set("@custom_id", answer.CustomId);
                result.Set("@position", NoInputPosition + line.Number);
                result.Set("@kind", kindName);
                result.Set("@line", line.Number);
                result.Set("@offset", line.Offset);
                result.Set("@length", line.Length);
                result.Set("@outcome", (int)answer.Outcome);
                result.Set("@status_code", answer.StatusCode);
                result.Set("@error_code", answer.Outcome == RequestOutcome.Succeeded ? null : answer.ErrorCode);
                result.Set("@error_message", answer.Outcome == RequestOutcome.Succeeded ? null : answer.ErrorMessage);
                result.Set("@input_tokens", answer.Tokens.Input);
                result.Set("@cached_tokens", answer.Tokens.Cached);
                result.Set("@output_tokens", answer.Tokens.Output);
                result.Set("@reasoning_tokens", answer.Tokens.Reasoning);
                await result.ExecuteAsync(cancellationToken);
            }
        }

        await using (var update = connection.CreateCommand())
        {
            update.Transaction = transaction;
            update.CommandText = """
                UPDATE result_files SET bytes_read = @bytes_read, lines = @lines, malformed_lines = @malformed, model = COALESCE(model, @model)
                WHERE batch_key = @batch AND kind = @kind;
                """;
            update.Add("@bytes_read", progress.BytesRead);
            update.Add("@lines", progress.Lines);
            update.Add("@malformed", progress.MalformedLines);
            update.Add("@model", progress.Model);
            update.Add("@batch", batchKey);
            update.Add("@kind", kindName);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public static string NameOf(ResultFileKind kind) => kind switch
    {
        ResultFileKind.Input => "input",
        ResultFileKind.Output => "output",
        _ => "error",
    };

    public static ResultFileKind KindOf(string name) => name switch
    {
        "input" => ResultFileKind.Input,
        "output" => ResultFileKind.Output,
        _ => ResultFileKind.Error,
    };

    public static string NameOf(ResultFileState state) => state switch
    {
        ResultFileState.Waiting => "waiting",
        ResultFileState.Indexing => "indexing",
        ResultFileState.Indexed => "indexed",
        ResultFileState.ExpiredUpstream => "expired_upstream",
        _ => "failed",
    };

    public static ResultFileState StateOf(string name) => name switch
    {
        "waiting" => ResultFileState.Waiting,
        "indexing" => ResultFileState.Indexing,
        "indexed" => ResultFileState.Indexed,
        "expired_upstream" => ResultFileState.ExpiredUpstream,
        _ => ResultFileState.Failed,
    };
}

/// <summary>How far the indexing of a file has got, as recorded with the slice of lines that got it there.</summary>
internal readonly record struct ResultFileProgress(long BytesRead, int Lines, int MalformedLines, string? Model)
{
    public static ResultFileProgress Of(ResultFileRecord file) => new(file.BytesRead, file.Lines, file.MalformedLines, file.Model);
}
