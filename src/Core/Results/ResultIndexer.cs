using BatchDashboard.Core.Api;
using BatchDashboard.Core.Cache;
using Microsoft.Extensions.Logging;

using BatchDashboard.Core.Telemetry;

namespace BatchDashboard.Core.Results;

/// <summary>
/// Indexes one of a batch's files: streams it from the API into a local copy while reading it line by line, and
/// writes each request's place and outcome into the cache a slice at a time. Memory stays flat whatever the file's
/// size: one line buffer and one slice of lines. A file already indexed, with its copy present, is not read again
/// (files never change); a 404 marks it expired upstream and keeps whatever was indexed.
/// </summary>
internal sealed class ResultIndexer(ResultStore store, TimeProvider timeProvider, ILogger<ResultIndexer> logger)
{
    /// <summary>Lines per transaction: large enough to amortize the commit, small enough to show progress.</summary>
    public const int SliceSize = 2_000;

    /// <param name="existing">What the index holds of this file of the batch so far, if anything.</param>
    public async Task<ResultFileRecord> IndexAsync(IBatchApiClient client, string folder, long batchKey, ResultFileKind kind, string fileId,
        ResultFileRecord? existing, Action<ResultFileRecord> progress, CancellationToken cancellationToken)
    {
        var kindName = ResultStore.NameOf(kind);
        var relative = ResultFilesFolder.RelativePath(client.Connection.Id, fileId);
        var path = Path.Combine(folder, relative);
        if (existing is { State: "indexed" } done && done.FileId == fileId && File.Exists(path))
        {
            return done;
        }

        var file = new ResultFileRecord
        {
            BatchKey = batchKey, Kind = kindName, FileId = fileId, State = ResultStore.NameOf(ResultFileState.Indexing),
            ExpiredUpstream = existing?.ExpiredUpstream ?? false,
        };
        await store.SaveFileAsync(file, cancellationToken);
        await store.ClearProblemsAsync(batchKey, kindName, cancellationToken);
        progress(file);

        var partial = path + ".partial";
        var started = timeProvider.GetTimestamp();
        var outcome = "failed";
        try
        {
            var result = await IndexCoreAsync();
            outcome = result.State;
            return result;
        }
        finally
        {
            var kindTag = new KeyValuePair<string, object?>("kind", kindName);
            CoreTelemetry.ResultBytes.Add(file.BytesRead, kindTag);
            CoreTelemetry.ResultLines.Add(file.Lines, kindTag);
            CoreTelemetry.ResultDuration.Record(timeProvider.GetElapsedTime(started).TotalSeconds, kindTag, new KeyValuePair<string, object?>("outcome", outcome));
        }

        async Task<ResultFileRecord> IndexCoreAsync()
        {
            try
            {
                var metadata = await client.GetFileAsync(fileId, cancellationToken);
                file.BytesTotal = metadata?.Bytes;
                file.UpstreamExpiresAt = metadata?.ExpiresAt?.ToUnixTimeSeconds();
                await using var content = await client.OpenFileContentAsync(fileId, cancellationToken);
                if (content is null)
                {
                    // Gone upstream (30 days, or sooner with output_expires_after). A file indexed before keeps its index.
                    var kept = existing is { State: "indexed" } && existing.FileId == fileId && existing.LocalPath is not null && File.Exists(Path.Combine(folder, existing.LocalPath));
                    var gone = kept ? existing! : file;
                    gone.State = ResultStore.NameOf(kept ? ResultFileState.Indexed : ResultFileState.ExpiredUpstream);
                    gone.ExpiredUpstream = true;
                    gone.Error = kept ? null : "The API no longer has this file (it deletes batch files after 30 days, or sooner when the batch asked).";
                    await store.SaveFileAsync(gone, cancellationToken);
                    progress(gone);
                    return gone;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await using (var copy = LocalCopyStream.Create(partial))
                {
                    await ReadLinesAsync(content, copy, batchKey, kind, file, progress, cancellationToken);
                    await copy.FlushAsync(cancellationToken);
                }

                File.Move(partial, path, overwrite: true);
                file.LocalPath = relative;
                file.State = ResultStore.NameOf(ResultFileState.Indexed);
                file.IndexedAt = timeProvider.GetUtcNow().ToUnixTimeSeconds();
                file.BytesTotal ??= file.BytesRead;
                await store.SaveFileAsync(file, cancellationToken);
                progress(file);
                return file;
            }
            catch (Exception ex) when (ex is BatchApiException or IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Indexing {Kind} file {FileId} of connection {Connection} failed: {Error}", kindName, fileId, client.Connection.Id,
                    ex is BatchApiException api ? api.Summary : ex.Message);
                TryDelete(partial);
                file.State = ResultStore.NameOf(ResultFileState.Failed);
                file.Error = ex switch
                {
                    BatchApiException { StatusCode: not null } answered => $"The API answered: {answered.Summary}",
                    BatchApiException unanswered => unanswered.Message, // e.g. the download broke off, and how far it got
                    _ => $"The local copy could not be written: {ex.Message}",
                };
                await store.SaveFileAsync(file, CancellationToken.None);
                progress(file);
                return file;
            }
            catch (OperationCanceledException)
            {
                TryDelete(partial);
                file.State = ResultStore.NameOf(ResultFileState.Waiting);
                await store.SaveFileAsync(file, CancellationToken.None);
                throw;
            }
        }
    }

    private async Task ReadLinesAsync(Stream content, Stream copy, long batchKey, ResultFileKind kind, ResultFileRecord file,
        Action<ResultFileRecord> progress, CancellationToken cancellationToken)
    {
        using var reader = new JsonLineReader(content, copy);
        var slice = new List<IndexedLine>(SliceSize);
        var spare = new List<IndexedLine>(SliceSize);
        // A slice is written to the cache while the next one is read and parsed: the download and the parse wait on
        // SQLite only when they get a whole slice ahead. The write in flight has its own list and the progress as of
        // its last line, and it is over before this returns or throws, so nothing writes after the file's end state.
        var writing = Task.CompletedTask;
        try
        {
            while (await reader.ReadAsync(cancellationToken) is { } line)
            {
                slice.Add(Parse(line, kind, file));
                file.Lines++;
                if (slice.Count == SliceSize)
                {
                    file.BytesRead = reader.BytesRead;
                    await writing;
                    var (lines, at) = (slice, ResultFileProgress.Of(file));
                    writing = Task.Run(() => store.WriteAsync(batchKey, kind, lines, at, cancellationToken), CancellationToken.None);
                    (slice, spare) = (spare, slice);
                    slice.Clear();
                    progress(file);
                }
            }

            file.BytesRead = reader.BytesRead;
            await writing;
            await store.WriteAsync(batchKey, kind, slice, ResultFileProgress.Of(file), cancellationToken);
        }
        catch
        {
            await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
    }

    private static IndexedLine Parse(JsonLine line, ResultFileKind kind, ResultFileRecord file)
    {
        string? problem;
        if (line.TooLong)
        {
            problem = $"The line is {line.Length:N0} bytes long, more than the index reads; it is left out.";
        }
        else if (kind == ResultFileKind.Input)
        {
            if (ResultLineParser.ParseInput(line.Bytes.Span, out problem) is { } input)
            {
                file.Model ??= input.Model;
                return new IndexedLine(line.Number, line.Offset, line.Length, input, null, null);
            }
        }
        else if (ResultLineParser.ParseResult(line.Bytes.Span, out problem) is { } result)
        {
            return new IndexedLine(line.Number, line.Offset, line.Length, null, result, null);
        }

        file.MalformedLines++;
        return new IndexedLine(line.Number, line.Offset, line.Length, null, null, problem);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the next attempt to overwrite.
        }
    }
}
