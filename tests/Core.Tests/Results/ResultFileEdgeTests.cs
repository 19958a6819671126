using System.Text;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Results;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Tests.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Core.Tests.Results;

/// <summary>Files no well-behaved API writes, and one much larger than a test should hold in memory, from a loopback server.</summary>
public sealed class ResultFileEdgeTests : IAsyncDisposable
{
    private readonly Dictionary<string, Func<HttpContext, Task>> _contents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _sizes = new(StringComparer.Ordinal);
    private readonly ApiTestServer _server;
    private CoreHarness? _harness;

    public ResultFileEdgeTests() => _server = new ApiTestServer(ServeAsync);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task ServeAsync(HttpContext context)
    {
        var parts = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries); // v1, files, id, [content]
        if (parts.Length >= 3 && parts[1] == "files" && _contents.TryGetValue(parts[2], out var write))
        {
            if (parts.Length == 4)
            {
                context.Response.ContentType = "application/octet-stream";
                await write(context);
            }
            else
            {
                await ApiTestServer.WriteJsonAsync(context, $$"""{"object":"file","id":"{{parts[2]}}","purpose":"batch_output","filename":"f.jsonl","bytes":{{_sizes[parts[2]]}},"created_at":1761896207,"expires_at":1764488207}""");
            }

            return;
        }

        await ApiTestServer.WriteJsonAsync(context, """{"error":{"message":"No such File object","type":"invalid_request_error","param":"id","code":null}}""", 404);
    }

    private void Serve(string fileId, string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        _sizes[fileId] = bytes.Length;
        _contents[fileId] = context => context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    private async Task<CoreHarness> HarnessAsync(string batchJson)
    {
        _harness = await CoreHarness.StartAsync();
        _harness.Services.GetRequiredService<ConnectionCatalog>().Add(TestClients.Connection(_server.BaseUrl));
        await _harness.Store.UpsertAsync("test", [BatchDashboard.Core.Batches.BatchReader.Read(batchJson).Batch!], Token);
        return _harness;
    }

    [Fact]
    public async Task MalformedLines_AreReportedWithTheirLineNumber_AndEveryOtherLineIsIndexed()
    {
        Serve("file-in", """
            {"custom_id":"a","method":"POST","url":"/v1/embeddings","body":{"model":"text-embedding-3-small","input":"x"}}
            {"custom_id":"b","method":"POST","url":"/v1/embeddings","body":{"model":"text-embedding-3-small","input":"y"}
            {"custom_id":"c","method":"POST","url":"/v1/embeddings","body":{"model":"text-embedding-3-small","input":"z"}}

            """);
        Serve("file-out", """
            {"custom_id":"a","response":{"status_code":200,"body":{"object":"list","usage":{"prompt_tokens":3,"total_tokens":3}}},"error":null}
            not json at all
            {"response":{"status_code":200,"body":{}},"error":null}
            {"custom_id":"c","response":{"status_code":200,"body":{"object":"list","usage":{"prompt_tokens":4,"total_tokens":4}}},"error":null}
            """);
        var harness = await HarnessAsync(TestBatches.Json("batch_odd", "completed", change: b =>
        {
            b["input_file_id"] = "file-in";
            b["output_file_id"] = "file-out";
        }));

        var files = await harness.Services.GetRequiredService<IResultIndexing>().IndexAsync("test", "batch_odd", Token);
        var results = harness.Services.GetRequiredService<IResultQueries>();
        var problems = await results.GetProblemsAsync("test", "batch_odd", 10, Token);
        var summary = await results.SummarizeAsync("test", "batch_odd", Token);

        Assert.Equal([(ResultFileKind.Input, 2, "The line is not valid JSON"), (ResultFileKind.Output, 2, "The line is not valid JSON"), (ResultFileKind.Output, 3, "The line has no custom_id.")],
            problems.Select(p => (p.Kind, p.Line, p.Message.Split(" (")[0])));
        Assert.Equal([1, 2], files.Select(f => f.MalformedLines));
        Assert.Equal(2, summary.Outcomes[RequestOutcome.Succeeded]); // a and c; b's input line could not be read
        Assert.Equal(7, summary.Tokens.Input);
        Assert.Equal(3, (await results.GetAsync("test", "batch_odd", "c", Token))!.Row.InputLine);
    }

    [Fact]
    public async Task AFileOfHundredsOfMegabytes_IsStreamedIntoItsLocalCopy_AndEveryLineIndexed()
    {
        const int lines = 60_000;
        var padding = new string('x', 3_400);
        _sizes["file-big"] = 0;
        _contents["file-big"] = async context =>
        {
            // Written as it is produced: neither this server nor the client holds the file.
            var buffer = new StringBuilder(64 * 1024);
            for (var i = 1; i <= lines; i++)
            {
                buffer.Append("{\"id\":\"batch_req_").Append(i).Append("\",\"custom_id\":\"req-").Append(i)
                    .Append("\",\"response\":{\"status_code\":200,\"request_id\":\"x\",\"body\":{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"")
                    .Append(padding).Append("\"}}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":20}}},\"error\":null}\n");
                if (buffer.Length > 60 * 1024)
                {
                    await context.Response.WriteAsync(buffer.ToString(), context.RequestAborted);
                    buffer.Clear();
                }
            }

            await context.Response.WriteAsync(buffer.ToString(), context.RequestAborted);
        };
        var harness = await HarnessAsync(TestBatches.Json("batch_big", "completed", total: lines, failed: 0, change: b =>
        {
            b["input_file_id"] = null;
            b["output_file_id"] = "file-big";
        }));

        var output = (await harness.Services.GetRequiredService<IResultIndexing>().IndexAsync("test", "batch_big", Token)).Single();
        var results = harness.Services.GetRequiredService<IResultQueries>();
        var summary = await results.SummarizeAsync("test", "batch_big", Token);
        await using var copy = await results.OpenLocalCopyAsync("test", "batch_big", ResultFileKind.Output, Token);

        Assert.True(output.BytesRead > 200_000_000, $"{output.BytesRead:N0} bytes");
        Assert.Equal((ResultFileState.Indexed, lines), (output.State, output.Lines));
        Assert.Equal(output.BytesRead, copy!.Length);
        Assert.Equal(lines, summary.Outcomes[RequestOutcome.Succeeded]);
        Assert.Equal(new TokenCounts(10L * lines, 0, 20L * lines, 0), summary.Tokens);
        Assert.Contains("\"custom_id\":\"req-54321\"", (await results.GetAsync("test", "batch_big", "req-54321", Token))!.ResultLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADownloadCutShortMidFile_FailsTheFile_AndTheNextIndexHoldsEveryRequestOnce()
    {
        const int lines = 9_000; // four slices and a half
        static string Line(int i) =>
            "{\"id\":\"batch_req_" + i + "\",\"custom_id\":\"req-" + i +
            "\",\"response\":{\"status_code\":200,\"request_id\":\"x\",\"body\":{\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}},\"error\":null}\n";
        var whole = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(1, lines).Select(Line)));
        var attempts = 0;
        _sizes["file-cut"] = whole.Length;
        _contents["file-cut"] = async context =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                // The connection drops after most of the file: several slices are written, one may be in flight.
                context.Response.ContentLength = whole.Length;
                await context.Response.Body.WriteAsync(whole.AsMemory(0, whole.Length * 8 / 10), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                context.Abort();
                return;
            }

            await context.Response.Body.WriteAsync(whole, context.RequestAborted);
        };
        var harness = await HarnessAsync(TestBatches.Json("batch_cut", "completed", total: lines, failed: 0, change: b =>
        {
            b["input_file_id"] = null;
            b["output_file_id"] = "file-cut";
        }));
        var indexing = harness.Services.GetRequiredService<IResultIndexing>();

        var cut = (await indexing.IndexAsync("test", "batch_cut", Token)).Single();
        var again = (await indexing.IndexAsync("test", "batch_cut", Token)).Single();
        var summary = await harness.Services.GetRequiredService<IResultQueries>().SummarizeAsync("test", "batch_cut", Token);

        Assert.Equal(ResultFileState.Failed, cut.State);
        Assert.Contains("download", cut.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal((ResultFileState.Indexed, lines, 0), (again.State, again.Lines, again.MalformedLines));
        Assert.Equal(lines, summary.Outcomes[RequestOutcome.Succeeded]);
        Assert.Equal(lines, summary.Outcomes.Values.Sum());
        Assert.Equal(new TokenCounts(lines, 0, 2L * lines, 0), summary.Tokens);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }
}
