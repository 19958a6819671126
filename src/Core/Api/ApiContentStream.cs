using System.Globalization;

namespace BatchDashboard.Core.Api;

/// <summary>
/// A file's content as the API sends it, read as it arrives. A connection that breaks off mid-file surfaces as the
/// client's one exception, <see cref="BatchApiException"/> (<see cref="ApiFailureKind.Network"/>), saying how far the
/// download got, instead of a transport error a caller would take for its own.
/// </summary>
internal sealed class ApiContentStream(Stream content) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Count(content.Read(buffer));
        }
        catch (IOException ex)
        {
            throw BrokeOff(ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return Count(await content.ReadAsync(buffer, cancellationToken));
        }
        catch (IOException ex)
        {
            throw BrokeOff(ex);
        }
    }

    private int Count(int read)
    {
        _read += read;
        return read;
    }

    private BatchApiException BrokeOff(IOException ex) => new(ApiFailureKind.Network,
        string.Create(CultureInfo.InvariantCulture, $"The download from the API broke off after {_read:N0} bytes: {ex.Message}"), innerException: ex);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            content.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return content.DisposeAsync();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
