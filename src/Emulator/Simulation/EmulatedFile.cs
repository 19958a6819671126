using System.Buffers;

namespace BatchDashboard.Emulator.Simulation;

/// <summary>The bytes of a file: stored on disk (uploads) or generated line by line on every read (results, demo inputs).</summary>
internal abstract class FileContent
{
    public abstract long Length { get; }

    public abstract Task CopyToAsync(Stream destination, CancellationToken cancellationToken);

    /// <summary>For reading the content in-process (validation); a generated file is produced into memory.</summary>
    public abstract Stream OpenRead();
}

internal sealed class StoredContent(string path) : FileContent
{
    public string Path => path;

    public override long Length => new FileInfo(path).Length;

    public override async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        await using var source = OpenRead();
        await source.CopyToAsync(destination, cancellationToken);
    }

    public override Stream OpenRead() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
}

/// <summary>
/// JSONL produced on demand: <c>writeLine(n, buffer)</c> writes line <c>n</c> of <c>lineCount</c>. Nothing is kept, so
/// a 50,000-request output file costs memory only for the chunk being sent. A generated input file may also say how
/// its request <c>n</c> is answered (<see cref="ReplyOf"/>), so the demo's replies fit their requests.
/// </summary>
internal sealed class GeneratedContent(int lineCount, Action<int, IBufferWriter<byte>> writeLine, Func<int, string>? replyOf = null) : FileContent
{
    /// <summary>The reply text for request <c>n</c> of this input file, or null to let the emulator pick one.</summary>
    public Func<int, string>? ReplyOf { get; } = replyOf;

    private const int ChunkBytes = 64 * 1024;
    private long _length = -1;

    public override long Length
    {
        get
        {
            if (_length < 0)
            {
                long length = 0;
                var buffer = new ArrayBufferWriter<byte>(4096);
                for (var line = 0; line < lineCount; line++)
                {
                    buffer.ResetWrittenCount();
                    writeLine(line, buffer);
                    length += buffer.WrittenCount;
                }

                _length = length;
            }

            return _length;
        }
    }

    public override async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(ChunkBytes * 2);
        for (var line = 0; line < lineCount; line++)
        {
            writeLine(line, buffer);
            if (buffer.WrittenCount >= ChunkBytes)
            {
                await destination.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
            }
        }

        await destination.WriteAsync(buffer.WrittenMemory, cancellationToken);
    }

    public override Stream OpenRead()
    {
        var buffer = new ArrayBufferWriter<byte>(ChunkBytes);
        for (var line = 0; line < lineCount; line++)
        {
            writeLine(line, buffer);
        }

        return new MemoryStream(buffer.WrittenSpan.ToArray(), writable: false);
    }
}

/// <summary>One file of the Files API.</summary>
internal sealed class EmulatedFile
{
    public required string Id { get; init; }
    public required string Filename { get; init; }
    public required string Purpose { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public required FileContent Content { get; init; }
    public bool Deleted { get; set; }

    public bool IsGone(DateTimeOffset now) => Deleted || (ExpiresAt is { } expires && now >= expires);
}
