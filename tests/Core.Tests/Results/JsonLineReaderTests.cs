using System.Text;
using BatchDashboard.Core.Results;

namespace BatchDashboard.Core.Tests.Results;

public sealed class JsonLineReaderTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Hands out at most a few bytes per read, so every line crosses a read boundary somewhere.</summary>
    private sealed class TrickleStream(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }

    private static async Task<List<(int Number, long Offset, string Text, bool TooLong)>> ReadAllAsync(byte[] bytes, int chunk = 3, int maxLine = JsonLineReader.DefaultMaxLineBytes, Stream? copy = null)
    {
        using var reader = new JsonLineReader(new TrickleStream(bytes, chunk), copy, maxLine);
        var lines = new List<(int, long, string, bool)>();
        while (await reader.ReadAsync(Token) is { } line)
        {
            lines.Add((line.Number, line.Offset, Encoding.UTF8.GetString(line.Bytes.Span), line.TooLong));
            if (!line.TooLong)
            {
                // The offset and length point at the line in the stream itself.
                Assert.Equal(Encoding.UTF8.GetString(line.Bytes.Span), Encoding.UTF8.GetString(bytes, (int)line.Offset, line.Length));
            }
        }

        Assert.Equal(bytes.Length, reader.BytesRead);
        return lines;
    }

    [Fact]
    public async Task Lines_AreNumberedAsInAnEditor_BlankOnesSkipped_CrLfAndALastLineWithoutBreakRead()
    {
        var text = "{\"a\":1}\r\n\n   \n{\"b\":2}\n{\"c\":3}";

        var lines = await ReadAllAsync(Encoding.UTF8.GetBytes(text));

        Assert.Equal([(1, 0L, "{\"a\":1}", false), (4, 14L, "{\"b\":2}", false), (5, 22L, "{\"c\":3}", false)], lines);
    }

    [Fact]
    public async Task AByteOrderMark_IsPassedOver_AndOffsetsStayThoseOfTheFile()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("{\"a\":1}\n{\"b\":2}\n")).ToArray();

        var lines = await ReadAllAsync(bytes);

        Assert.Equal([(1, 3L, "{\"a\":1}", false), (2, 11L, "{\"b\":2}", false)], lines);
    }

    [Fact]
    public async Task ALineLongerThanTheLimit_IsReportedWithItsPlace_AndTheNextOnesRead()
    {
        var text = "{\"a\":1}\n" + "{\"long\":\"" + new string('x', 5000) + "\"}\n{\"b\":2}\n";

        var lines = await ReadAllAsync(Encoding.UTF8.GetBytes(text), chunk: 700, maxLine: 1024);

        Assert.Equal(3, lines.Count);
        Assert.Equal((2, 8L, "", true), lines[1]);
        Assert.Equal((3, 8L + 5012, "{\"b\":2}", false), lines[2]);
    }

    [Fact]
    public async Task EveryByte_IsCopiedAsItIsRead()
    {
        var bytes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 5000).Select(i => $"{{\"custom_id\":\"r-{i}\",\"é\":\"ü\"}}\n")));
        using var copy = new MemoryStream();

        var lines = await ReadAllAsync(bytes, chunk: 8191, copy: copy);

        Assert.Equal(5000, lines.Count);
        Assert.Equal(bytes, copy.ToArray());
    }
}
