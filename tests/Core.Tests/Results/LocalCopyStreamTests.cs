using BatchDashboard.Core.Results;

namespace BatchDashboard.Core.Tests.Results;

/// <summary>
/// The local copy's writer, direct (past the page cache, in aligned blocks) where the file system takes it, plain
/// otherwise: either way the file holds exactly the bytes written, whatever the sizes of the writes.
/// </summary>
public sealed class LocalCopyStreamTests : IDisposable
{
    // Beside the test binaries, on the machine's disk: a temporary folder may be tmpfs, which refuses direct I/O.
    private readonly string _folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "local-copy-" + Guid.NewGuid().ToString("N"))).FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<bool, int> Cases => new()
    {
        { true, 0 }, { true, 1 }, { true, 4095 }, { true, 4096 }, { true, LocalCopyStream.BlockSize - 1 },
        { true, LocalCopyStream.BlockSize }, { true, LocalCopyStream.BlockSize + 1 }, { true, (3 * LocalCopyStream.BlockSize) + 12_345 },
        { false, 0 }, { false, 4097 }, { false, (2 * LocalCopyStream.BlockSize) + 7 },
    };

    private static byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task WritesInUnevenPieces_LeaveExactlyTheBytesWritten(bool direct, int length)
    {
        var path = Path.Combine(_folder, "copy.jsonl");
        var bytes = Bytes(length);

        await using (var copy = LocalCopyStream.Create(path, direct))
        {
            Assert.True(direct || !LocalCopyStream.IsDirect(copy));
            var written = 0;
            var pieces = new[] { 1, 7, 65_536, 3_000, 1_048_577 };
            for (var i = 0; written < length; i++)
            {
                var count = Math.Min(pieces[i % pieces.Length], length - written);
                await copy.WriteAsync(bytes.AsMemory(written, count), Token);
                written += count;
            }

            await copy.FlushAsync(Token);
        }

        Assert.Equal(bytes, await File.ReadAllBytesAsync(path, Token));
    }

    [Fact]
    public async Task OnLinux_TheCopyBypassesThePageCache_WhereTheFileSystemTakesDirectWrites()
    {
        await using var copy = LocalCopyStream.Create(Path.Combine(_folder, "copy.jsonl"));
        if (!LocalCopyStream.IsDirect(copy))
        {
            Assert.Skip(OperatingSystem.IsLinux() ? "The test folder's file system refuses direct I/O." : "Direct writes are used on Linux only.");
        }

        Assert.True(OperatingSystem.IsLinux());
    }

    [Fact]
    public async Task FlushMidway_ThenMoreWrites_AndSynchronousWrites_KeepEveryByte()
    {
        var path = Path.Combine(_folder, "copy.jsonl");
        var bytes = Bytes((2 * LocalCopyStream.BlockSize) + 5_000);

        await using (var copy = LocalCopyStream.Create(path))
        {
            await copy.WriteAsync(bytes.AsMemory(0, 10_000), Token);
            await copy.FlushAsync(Token);
            Assert.Equal(10_000, new FileInfo(path).Length); // flushed: the file holds what was written, not the padding
            copy.Write(bytes, 10_000, LocalCopyStream.BlockSize);
            copy.Flush();
            await copy.WriteAsync(bytes.AsMemory(10_000 + LocalCopyStream.BlockSize), Token);
        }

        Assert.Equal(bytes, await File.ReadAllBytesAsync(path, Token));
    }

    [Fact]
    public async Task AnExistingFile_IsEmptiedFirst()
    {
        var path = Path.Combine(_folder, "copy.jsonl");
        await File.WriteAllBytesAsync(path, Bytes(3 * LocalCopyStream.BlockSize), Token);

        await using (var copy = LocalCopyStream.Create(path))
        {
            await copy.WriteAsync("{}\n"u8.ToArray(), Token);
        }

        Assert.Equal("{}\n"u8.ToArray(), await File.ReadAllBytesAsync(path, Token));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ADirectWriteTheFileSystemRefuses_IsWrittenThroughThePageCache_AndSoIsTheRest(bool synchronous)
    {
        var path = Path.Combine(_folder, "refused.jsonl");
        var bytes = Bytes((2 * LocalCopyStream.BlockSize) + 4321);

        // Blocks one byte off their alignment: a file system that takes direct writes refuses them (EINVAL).
        await using (var copy = LocalCopyStream.Create(path, direct: true, misalign: 1))
        {
            if (!LocalCopyStream.IsDirect(copy))
            {
                Assert.Skip("Direct writes are not taken here at all, so none can be refused.");
            }

            // The first block's write is the one refused, made one way or the other; the rest the other way.
            var (first, rest) = (bytes.AsMemory(0, LocalCopyStream.BlockSize + 10), bytes.AsMemory(LocalCopyStream.BlockSize + 10));
            if (synchronous)
            {
                copy.Write(first.Span);
                await copy.WriteAsync(rest, Token);
            }
            else
            {
                await copy.WriteAsync(first, Token);
                copy.Write(rest.Span);
            }

            await copy.FlushAsync(Token);

            Assert.False(LocalCopyStream.IsDirect(copy));
        }

        Assert.Equal(bytes, await File.ReadAllBytesAsync(path, Token));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
