using BatchDashboard.Dashboard.Model;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Dashboard.Tests.Model;

/// <summary>A request read for its endpoint from its two lines, as the results drawer shows it.</summary>
public sealed class RequestViewTests
{
    private static string FixtureLine(string file, int index) =>
        File.ReadLines(Path.Combine(SharedFixtures.RequireFolder(), file)).Where(l => l.Trim().Length > 0).ElementAt(index);

    [Fact]
    public void AChatCompletion_ShowsTheMessages_TheReply_TheFinishReasonAndTokens()
    {
        var view = RequestView.From(
            FixtureLine("batch_input.chat_completions_trailing_blank_line.litellm-test.jsonl", 1),
            FixtureLine("batch_output.chat_completions_stop_and_length.litellm-test.jsonl", 1));

        Assert.Equal("/v1/chat/completions", view.Endpoint);
        Assert.Equal([new MessageView("system", "You are an unhelpful assistant."), new MessageView("user", "Hello world!")], view.Messages);
        Assert.Equal("Hello! What can I do for you today?", view.Reply);
        Assert.Equal([new FactView("finish reason", "length"), new FactView("input tokens", "22"), new FactView("output tokens", "10")], view.Facts);
        Assert.Equal("gpt-4o-mini", view.Model);
        Assert.Null(view.Error);
    }

    [Fact]
    public void AnExpiredRequest_IsItsErrorCodeAndMessage()
    {
        var view = RequestView.From(null, FixtureLine("batch_error_file.expired_requests.openai-guide.jsonl", 0));

        Assert.Equal(new ErrorView("batch_expired", "This request could not be executed before the completion window expired.", null, null), view.Error);
        Assert.Null(view.Reply);
    }

    [Fact]
    public void ARefusedRequest_NamesTheParameter_AndItsStatus()
    {
        const string input = """{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":[{"type":"text","text":"Summarise this."},{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}],"max_tokens":99999}}""";
        const string result = """{"id":"r","custom_id":"a","response":{"status_code":400,"request_id":"q","body":{"error":{"message":"Invalid 'max_tokens': integer above maximum value.","type":"invalid_request_error","param":"max_tokens","code":"invalid_value"}}},"error":null}""";

        var view = RequestView.From(input, result);

        Assert.Equal(new ErrorView("invalid_value", "Invalid 'max_tokens': integer above maximum value.", "max_tokens", 400), view.Error);
        Assert.Equal([new MessageView("user", "Summarise this.\n[image_url]")], view.Messages);
    }

    [Fact]
    public void AResponsesRequest_ShowsItsInstructionsInputAndOutputText()
    {
        const string input = """{"custom_id":"a","method":"POST","url":"/v1/responses","body":{"model":"gpt-4.1","instructions":"Be brief.","input":"What is a batch?"}}""";
        const string result = """{"id":"r","custom_id":"a","response":{"status_code":200,"body":{"model":"gpt-4.1-2025-04-14","status":"completed","output":[{"type":"reasoning","summary":[]},{"type":"message","role":"assistant","content":[{"type":"output_text","text":"A set of requests run together."}]}],"usage":{"input_tokens":12,"output_tokens":7}}},"error":null}""";

        var view = RequestView.From(input, result);

        Assert.Equal([new MessageView("instructions", "Be brief."), new MessageView("user", "What is a batch?")], view.Messages);
        Assert.Equal("A set of requests run together.", view.Reply);
        Assert.Equal([new FactView("status", "completed"), new FactView("input tokens", "12"), new FactView("output tokens", "7")], view.Facts);
    }

    [Fact]
    public void AnEmbedding_ShowsWhatWasEmbedded_AndTheVectorsSize()
    {
        const string input = """{"custom_id":"a","method":"POST","url":"/v1/embeddings","body":{"model":"text-embedding-3-small","input":"The quick brown fox."}}""";
        const string result = """{"id":"r","custom_id":"a","response":{"status_code":200,"body":{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2,0.3,0.4]}],"usage":{"prompt_tokens":5,"total_tokens":5}}},"error":null}""";

        var view = RequestView.From(input, result);

        Assert.Equal([new MessageView("input", "The quick brown fox.")], view.Messages);
        Assert.Equal([new FactView("dimensions", "4"), new FactView("input tokens", "5")], view.Facts);
    }

    [Theory]
    [InlineData(true, "Flagged: harassment, violence")]
    [InlineData(false, "Not flagged.")]
    public void AModeration_SaysWhetherItWasFlagged_AndForWhat(bool flagged, string reply)
    {
        var input = """{"custom_id":"a","method":"POST","url":"/v1/moderations","body":{"model":"omni-moderation-latest","input":"some text"}}""";
        var on = flagged ? "true" : "false";
        var result = $$$"""{"id":"r","custom_id":"a","response":{"status_code":200,"body":{"results":[{"flagged":{{{on}}},"categories":{"harassment":{{{on}}},"sexual":false,"violence":{{{on}}}}}]}},"error":null}""";

        Assert.Equal(reply, RequestView.From(input, result).Reply);
    }

    [Theory]
    [InlineData("not json", "also not json")]
    [InlineData("[1,2]", "\"a string\"")]
    [InlineData("""{"url":5,"body":[]}""", """{"response":{"status_code":"x","body":{"choices":"none"}}}""")]
    public void LinesThatAreNotWhatTheyShouldBe_ShowWhatCanBeRead_NeverAnException(string input, string result)
    {
        var view = RequestView.From(input, result);

        Assert.Empty(view.Messages);
        Assert.Null(view.Reply);
        Assert.Null(view.Error);
    }

    [Fact]
    public void AVeryLongReply_IsClipped_TheRawJsonHasTheWhole()
    {
        var text = new string('x', RequestView.MaxText + 500);
        var result = $$$"""{"custom_id":"a","response":{"status_code":200,"body":{"choices":[{"message":{"content":"{{{text}}}"},"finish_reason":"stop"}]}},"error":null}""";

        var view = RequestView.From("""{"url":"/v1/chat/completions","body":{"messages":[]}}""", result);

        Assert.Equal(RequestView.MaxText + 1, view.Reply!.Length);
        Assert.EndsWith("…", view.Reply, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryFixtureLine_ReadsWithoutAnException_AsInputOrAsResult()
    {
        var lines = Directory.GetFiles(SharedFixtures.RequireFolder(), "*.jsonl").SelectMany(File.ReadLines).ToList();

        Assert.NotEmpty(lines);
        Assert.All(lines, line =>
        {
            _ = RequestView.From(line, line);
            _ = RequestView.From(line[..(line.Length / 2)], line[(line.Length / 3)..]); // cut anywhere
        });
    }
}
