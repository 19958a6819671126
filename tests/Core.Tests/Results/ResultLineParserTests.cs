using System.Text;
using BatchDashboard.Core.Results;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Core.Tests.Results;

public sealed class ResultLineParserTests
{
    private static ResultLine Result(string json)
    {
        var line = ResultLineParser.ParseResult(Encoding.UTF8.GetBytes(json), out var problem);
        Assert.Null(problem);
        return line!;
    }

    [Fact]
    public void AnOutputLine_Succeeded_WithItsChatUsage()
    {
        var line = Result("""
            {"id":"batch_req_1","custom_id":"task-0","response":{"status_code":200,"request_id":"r1","body":{"id":"chatcmpl-1","object":"chat.completion",
             "choices":[{"index":0,"message":{"role":"assistant","content":"{\"nested\": \"json\"}"}}],
             "usage":{"prompt_tokens":57,"completion_tokens":23,"total_tokens":80,"prompt_tokens_details":{"cached_tokens":12},"completion_tokens_details":{"reasoning_tokens":4}}}},"error":null}
            """);

        Assert.Equal(new ResultLine("task-0", RequestOutcome.Succeeded, 200, null, null, new TokenCounts(57, 12, 23, 4)), line);
    }

    [Fact]
    public void TheResponsesApisUsage_IsReadToo()
    {
        var line = Result("""
            {"custom_id":"r","response":{"status_code":200,"body":{"object":"response","usage":{"input_tokens":10,"input_tokens_details":{"cached_tokens":2},"output_tokens":30,"output_tokens_details":{"reasoning_tokens":20},"total_tokens":40}}},"error":null}
            """);

        Assert.Equal(new TokenCounts(10, 2, 30, 20), line.Tokens);
    }

    [Fact]
    public void AnHttpError_TakesTheCodeAndMessageOfItsBody()
    {
        var line = Result("""
            {"custom_id":"r-7","response":{"status_code":400,"request_id":"x","body":{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}},"error":null}
            """);

        Assert.Equal(new ResultLine("r-7", RequestOutcome.HttpError, 400, "context_length_exceeded", "This model's maximum context length is 8192 tokens.", TokenCounts.Zero), line);
    }

    [Fact]
    public void AnHttpErrorWithoutACode_IsGroupedByItsTypeOrStatus()
    {
        Assert.Equal("server_error", Result("""{"custom_id":"a","response":{"status_code":500,"body":{"error":{"message":"boom","type":"server_error","code":null}}},"error":null}""").ErrorCode);
        Assert.Equal("http_503", Result("""{"custom_id":"a","response":{"status_code":503,"body":"Service Unavailable"},"error":null}""").ErrorCode);
    }

    [Theory]
    [InlineData("batch_expired", RequestOutcome.Expired)]
    [InlineData("batch_cancelled", RequestOutcome.Cancelled)]
    [InlineData("request_timeout", RequestOutcome.OtherError)]
    public void AnErrorWithoutAResponse_IsNamedByItsCode(string code, RequestOutcome outcome)
    {
        var line = Result("""{"id":"batch_req_123","custom_id":"request-3","response":null,"error":{"code":"CODE","message":"Not run."}}""".Replace("CODE", code, StringComparison.Ordinal));

        Assert.Equal((outcome, code, "Not run."), (line.Outcome, line.ErrorCode, line.ErrorMessage));
    }

    [Fact]
    public void ACustomIdThatIsANumber_IsKeptAsItsText()
    {
        Assert.Equal("42", Result("""{"custom_id":42,"response":{"status_code":200,"body":{}},"error":null}""").CustomId);
    }

    [Theory]
    [InlineData("{\"custom_id\": \"a\", \"response\": {", "not valid JSON")]
    [InlineData("[1, 2]", "not a JSON object")]
    [InlineData("{\"response\": null, \"error\": null}", "no custom_id")]
    [InlineData("{\"custom_id\": \"a\"} {\"custom_id\": \"b\"}", "not valid JSON")]
    public void ALineThatCannotBeRead_IsAProblemWithAReason(string json, string reason)
    {
        Assert.Null(ResultLineParser.ParseResult(Encoding.UTF8.GetBytes(json), out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
        Assert.Null(ResultLineParser.ParseInput(Encoding.UTF8.GetBytes(json), out var inputProblem));
        Assert.Contains(reason, inputProblem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInputLine_GivesItsCustomIdAndModel()
    {
        var line = ResultLineParser.ParseInput("""{"custom_id":"request-1","method":"POST","url":"/v1/chat/completions","body":{"messages":[{"role":"user","content":"Hi"}],"model":"gpt-4o-mini"}}"""u8, out var problem);

        Assert.Null(problem);
        Assert.Equal(new InputLine("request-1", "gpt-4o-mini"), line);
    }

    /// <summary>Every line of the shared JSONL fixtures that is not blank: where it is, its bytes, and whether it is an input line.</summary>
    private static IEnumerable<(string Where, byte[] Bytes, bool Input)> SharedFixtureLines() =>
        from file in Directory.EnumerateFiles(SharedFixtures.RequireFolder(), "*.jsonl")
        from line in File.ReadAllLines(file).Select((text, index) => (Text: text, Number: index + 1))
        where line.Text.Trim().Length > 0
        select ($"{Path.GetFileName(file)} line {line.Number}", Encoding.UTF8.GetBytes(line.Text),
            Path.GetFileName(file).StartsWith("batch_input", StringComparison.Ordinal));

    [Fact]
    public void EveryLineOfTheSharedJsonlFixtures_IsRead()
    {
        foreach (var (where, bytes, input) in SharedFixtureLines())
        {
            string? problem;
            var read = input ? ResultLineParser.ParseInput(bytes, out problem) is not null : ResultLineParser.ParseResult(bytes, out problem) is not null;
            Assert.True(read, $"{where}: {problem}");
        }
    }

    [Theory]
    [InlineData("""{"response":{"body":{"usage":{"prompt_tokens":3},"data":[{"embedding":[1,2]}]},"status_code":200},"custom_id":"late-id","error":null}""")]
    [InlineData("""{"custom_id":7,"response":{"status_code":"429","body":{"error":{"code":"rate_limit_exceeded","message":"Slow {down} [now]"}}},"error":null}""")]
    [InlineData("""{"custom_id":"x","response":null,"error":{"code":"batch_expired","message":"This request could not be executed before the completion window expired."}}""")]
    [InlineData("""{"custom_id":"x","response":{"status_code":200,"body":{"text":"a \"usage\": {\"prompt_tokens\": 9}","usage":{"input_tokens":5,"output_tokens":6,"output_tokens_details":{"reasoning_tokens":2}}}}}""")]
    [InlineData("""  {"custom_id":"x","response":{"status_code":500,"body":{}} ,"error":null}  """)]
    [InlineData("""{"custom_id":"x","response":{"status_code":200,"body":[1,2]},"error":null}""")]
    public void TheFastWalk_ReadsAResultLineAsTheCheckingParseDoes(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);

        var read = ResultLineParser.ParseResult(bytes, out var problem);

        Assert.NotNull(read);
        Assert.Null(problem);
        Assert.Equal(ResultLineParser.ParseResultWhole(bytes, out _), read);
    }

    [Fact]
    public void EveryLineOfTheSharedJsonlFixtures_ReadsTheSameByTheFastWalkAsByTheCheckingParse()
    {
        foreach (var (where, bytes, input) in SharedFixtureLines())
        {
            var same = input
                ? ResultLineParser.ParseInputWhole(bytes, out _) == ResultLineParser.ParseInput(bytes, out _)
                : Equals(ResultLineParser.ParseResultWhole(bytes, out _), ResultLineParser.ParseResult(bytes, out _));
            Assert.True(same, where);
        }
    }
}
