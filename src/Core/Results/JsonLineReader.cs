using System.Buffers;

namespace BatchDashboard.Core.Results;

/// <summary>One line of a JSONL stream. <see cref="Bytes"/> is valid until the reader reads on.</summary>
/// <param name="Number">1-based, counting blank lines, as an editor numbers them.</param>
/// <param name="Offset">Where the line starts in the stream, in bytes.</param>
/// <param name="Length">Its length in bytes, without the line break.</param>
/// <param name="TooLong">Longer than the reader holds: <see cref="Bytes"/> is empty, the rest is known.</param>
internal readonly record struct JsonLine(int Number, long Offset, int Length, ReadOnlyMemory<byte> Bytes, bool TooLong);

/// <summary>
/// Reads a JSONL stream one line at a time through one reused buffer, never the whole stream: files reach hundreds of
/// megabytes. Blank lines are skipped (their numbers still count), <c>\r\n</c> ends a line as <c>\n</c> does, a UTF-8
/// byte-order mark is passed over, and a last line without a line break is read. Every byte read can be copied to a
/// second stream as it arrives (the local copy of a file being indexed).
/// </summary>
internal sealed class JsonLineReader(Stream source, Stream? copy = null, int maxLineBytes = JsonLineReader.DefaultMaxLineBytes) : IDisposable
{
    /// <summary>Longer lines are reported as too long and skipped: no real request or result comes near.</summary>
    public const int DefaultMaxLineBytes = 32 * 1024 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
    private int _start;
    private int _end;
    private int _scanned;
    private long _bufferOffset;
    private int _number;
    private bool _eof;
    private bool _checkedBom;

    /// <summary>Bytes read from the source so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>The next line that is not blank, or null at the end of the stream.</summary>
    public async ValueTask<JsonLine?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_scanned, _end - _scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var end = _scanned + newline;
                var line = Take(end, end + 1);
                if (line is { } found)
                {
                    return found;
                }

                continue;
            }

            _scanned = _end;
            if (_eof)
            {
                return _start < _end ? Take(_end, _end) ?? null : null;
            }

            if (_end - _start >= maxLineBytes)
            {
                return await SkipLongLineAsync(cancellationToken);
            }

            await FillAsync(cancellationToken);
        }
    }

    /// <summary>The line from <c>_start</c> to <paramref name="end"/>; null when it is blank.</summary>
    private JsonLine? Take(int end, int next)
    {
        _number++;
        var start = _start;
        var length = end - start;
        if (length > 0 && _buffer[end - 1] == (byte)'\r')
        {
            length--;
        }

        _start = next;
        _scanned = next;
        var bytes = new ReadOnlyMemory<byte>(_buffer, start, length);
        return IsBlank(bytes.Span) ? null : new JsonLine(_number, _bufferOffset + start, length, bytes, TooLong: false);
    }

    private async ValueTask<JsonLine?> SkipLongLineAsync(CancellationToken cancellationToken)
    {
        _number++;
        var offset = _bufferOffset + _start;
        long length = _end - _start;
        while (true)
        {
            // Drop what is held; read on until the line ends.
            _bufferOffset += _end;
            _start = _end = _scanned = 0;
            await FillAsync(cancellationToken);
            var newline = _buffer.AsSpan(0, _end).IndexOf((byte)'\n');
            if (newline >= 0 || _eof)
            {
                var end = newline >= 0 ? newline : _end;
                length += end;
                _start = _scanned = newline >= 0 ? newline + 1 : _end;
                return new JsonLine(_number, offset, (int)Math.Min(int.MaxValue, length), ReadOnlyMemory<byte>.Empty, TooLong: true);
            }

            length += _end;
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            // Move the unfinished line to the front.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _bufferOffset += _start;
            _scanned -= _start;
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(Math.Max(_buffer.Length * 2, 1), maxLineBytes + 1));
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        var read = await source.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        if (read == 0)
        {
            _eof = true;
            return;
        }

        if (copy is not null)
        {
            await copy.WriteAsync(_buffer.AsMemory(_end, read), cancellationToken);
        }

        BytesRead += read;
        _end += read;
        if (!_checkedBom && _end >= 3)
        {
            _checkedBom = true;
            if (_bufferOffset == 0 && _buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF)
            {
                _start = _scanned = 3;
            }
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                return false;
            }
        }

        return true;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
