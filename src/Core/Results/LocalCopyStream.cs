using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace BatchDashboard.Core.Results;

/// <summary>
/// Writes the local copy of a file being indexed. Where the system allows (Linux, a file system that takes direct
/// I/O), the copy bypasses the page cache: it is written once, in aligned blocks, and afterwards read a line at a
/// time, so passing it through the cache only costs a copy of every byte into freshly allocated pages and evicts the
/// database's. The writes run one block behind the caller (two buffers), so the download and the parse go on while
/// the disk takes the last block. Anywhere else it is a plain buffered <see cref="FileStream"/>. A file system that
/// takes the direct flag but refuses a direct write (one that needs a larger alignment than these blocks have) gets
/// that write again through the page cache, and every write after it.
/// </summary>
/// <remarks>
/// Kept for one target: indexing a result file at least half as fast as a plain read of it from disk
/// (docs/PERFORMANCE.md, "Results files"). Measured on 2026-12-04 in turns with a plain buffered <see cref="FileStream"/>
/// in its place: the index of a 1 GB file ran at 760 and 802 MB/s (166% and 321% of the target) with this stream, and
/// at 198 and 235 MB/s (43% and 94%: missed) without it.
/// </remarks>
internal sealed partial class LocalCopyStream : Stream
{
    /// <summary>The size of one write; a multiple of every device's logical block.</summary>
    public const int BlockSize = 1 << 20;

    private const int Alignment = 4096;

    private readonly SafeFileHandle _handle;
    private readonly int _directFlag;
    private bool _direct = true; // until the file system refuses a direct write
    private readonly Memory<byte>[] _blocks = new Memory<byte>[2];
    private int _current;
    private int _filled;     // bytes of the current block written to it so far
    private long _offset;    // where the current block starts in the file
    private Task _pending = Task.CompletedTask; // the write of the other block
    private bool _disposed;

    /// <param name="misalign">Bytes to start the blocks past their alignment: tests use it to see a direct write refused.</param>
    private LocalCopyStream(SafeFileHandle handle, int directFlag, int misalign)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(misalign);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(misalign, Alignment);
        (_handle, _directFlag) = (handle, directFlag);
        for (var i = 0; i < _blocks.Length; i++)
        {
            // Direct I/O needs the buffer's address aligned too: pinned arrays, used from their first aligned byte.
            var array = GC.AllocateUninitializedArray<byte>(BlockSize + (2 * Alignment), pinned: true);
            var address = Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
            var skip = (int)((Alignment - (address % Alignment)) % Alignment) + misalign;
            _blocks[i] = array.AsMemory(skip, BlockSize);
        }
    }

    /// <summary>Whether this copy bypasses the page cache (false: a plain buffered file, or direct writes refused).</summary>
    public static bool IsDirect(Stream stream) => stream is LocalCopyStream { _direct: true };

    /// <summary>Creates (or empties) <paramref name="path"/> for writing; <paramref name="direct"/> false asks for a plain buffered file.</summary>
    /// <param name="misalign">For tests only: start the direct writes' buffers this many bytes off their alignment.</param>
    public static Stream Create(string path, bool direct = true, int misalign = 0)
    {
        if (direct && DirectFlag() is { } flag)
        {
            var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.None);
            if (TrySetFlags(handle, set: flag, clear: 0))
            {
                return new LocalCopyStream(handle, flag, misalign);
            }

            handle.Dispose(); // e.g. a file system that refuses direct I/O: the plain file below.
        }

        return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.SequentialScan);
    }

    private const int GetFlags = 3; // F_GETFL
    private const int SetFlags = 4; // F_SETFL: on Linux it can turn O_DIRECT on and off

    private static bool TrySetFlags(SafeFileHandle handle, int set, int clear)
    {
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            var flags = Fcntl(fd, GetFlags, 0);
            return flags >= 0 && Fcntl(fd, SetFlags, (flags | set) & ~clear) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // a C library without fcntl under that name
        }
    }

    private static int? DirectFlag() => !OperatingSystem.IsLinux() ? null : RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x4000,    // O_DIRECT (040000)
        Architecture.Arm64 or Architecture.Arm => 0x10000, // O_DIRECT (0200000)
        _ => null,
    };

    [LibraryImport("libc", EntryPoint = "fcntl")]
    private static partial int Fcntl(int fd, int command, int argument);

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_disposed;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _offset + _filled;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Append(buffer)..];
            if (_filled == BlockSize)
            {
                _pending.GetAwaiter().GetResult();
                _pending = Task.CompletedTask;
                WriteBlock(_blocks[_current].Span, _offset);
                NextBlock();
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Append(buffer.Span)..];
            if (_filled == BlockSize)
            {
                // The other block's write must be done before its buffer is filled again.
                await _pending.WaitAsync(cancellationToken);
                _pending = WriteBlockAsync(_blocks[_current], _offset, CancellationToken.None);
                NextBlock();
            }
        }
    }

    /// <summary>Writes what is buffered; the file then holds every byte written, and no more.</summary>
    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _pending.WaitAsync(cancellationToken);
        _pending = Task.CompletedTask;
        if (_filled > 0)
        {
            // Direct writes are whole aligned blocks: the part-filled block goes out padded with zeros, and the length
            // is set back to the bytes written. The block stays current, so later writes fill it and write it again.
            var padded = (_filled + Alignment - 1) / Alignment * Alignment;
            _blocks[_current].Span[_filled..padded].Clear();
            await WriteBlockAsync(_blocks[_current][..padded], _offset, cancellationToken);
            RandomAccess.SetLength(_handle, _offset + _filled);
        }
    }

    /// <summary>One block to its place in the file; one at a time, so the switch to buffered writes needs no lock.</summary>
    private void WriteBlock(ReadOnlySpan<byte> block, long offset)
    {
        try
        {
            RandomAccess.Write(_handle, block, offset);
        }
        catch (IOException) when (_direct && TrySetFlags(_handle, set: 0, clear: _directFlag))
        {
            _direct = false;
            RandomAccess.Write(_handle, block, offset);
        }
    }

    /// <inheritdoc cref="WriteBlock"/>
    private async Task WriteBlockAsync(ReadOnlyMemory<byte> block, long offset, CancellationToken cancellationToken)
    {
        try
        {
            await RandomAccess.WriteAsync(_handle, block, offset, cancellationToken);
        }
        catch (IOException) when (_direct && TrySetFlags(_handle, set: 0, clear: _directFlag))
        {
            // Taken at open, refused at the write (EINVAL: an alignment the file system needs that the blocks lack).
            _direct = false;
            await RandomAccess.WriteAsync(_handle, block, offset, cancellationToken);
        }
    }

    private int Append(ReadOnlySpan<byte> buffer)
    {
        var count = Math.Min(buffer.Length, BlockSize - _filled);
        buffer[..count].CopyTo(_blocks[_current].Span[_filled..]);
        _filled += count;
        return count;
    }

    private void NextBlock()
    {
        _offset += BlockSize;
        _current ^= 1;
        _filled = 0;
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            try
            {
                await FlushAsync(CancellationToken.None);
            }
            finally
            {
                _handle.Dispose();
            }
        }

        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            try
            {
                Flush();
            }
            finally
            {
                _handle.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
