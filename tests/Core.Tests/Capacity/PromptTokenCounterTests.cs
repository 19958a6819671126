using System.Text;
using BatchDashboard.Core.Capacity;
using BatchDashboard.Tokens;
using Microsoft.ML.Tokenizers;

namespace BatchDashboard.Core.Tests.Capacity;

/// <summary>What counts as a request's prompt, counted with the model's own tokenizer.</summary>
public sealed class PromptTokenCounterTests
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");
    private static readonly Tokenizer Cl100k = TiktokenTokenizer.CreateForEncoding("cl100k_base");

    private static int Count(string line, string? model = null)
    {
        using var counter = new PromptTokenCounter(model);
        return counter.CountRequest(Encoding.UTF8.GetBytes(line));
    }

    [Fact]
    public void AChatRequest_CountsItsMessagesText_PlusEachMessagesAndTheReplysOverhead()
    {
        const string line = """{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":[{"type":"text","text":"hello world"}]}],"max_tokens":100}}""";

        var expected = O200k.CountTokens("You are terse.") + O200k.CountTokens("hello world") + (2 * PromptTokenCounter.TokensPerMessage) + PromptTokenCounter.TokensPerConversation;
        Assert.Equal(expected, Count(line));
        Assert.Equal(8, Count("""{"body":{"model":"gpt-4o","messages":[{"role":"user","content":"hello world"}]}}""")); // 2 + 3 + 3, as OpenAI's guide counts it
    }

    [Fact]
    public void OtherEndpoints_CountTheirInputs_TokenIdsOneEach_ImagesAtTheirLowDetailCost_AndNeverBase64()
    {
        Assert.Equal(O200k.CountTokens("Be brief.") + O200k.CountTokens("Summarize this contract."),
            Count("""{"body":{"model":"gpt-5","instructions":"Be brief.","input":"Summarize this contract."}}"""));
        Assert.Equal(Cl100k.CountTokens("first chunk") + Cl100k.CountTokens("second chunk"),
            Count("""{"body":{"model":"text-embedding-3-small","input":["first chunk","second chunk"],"encoding_format":"float"}}"""));
        Assert.Equal(5, Count("""{"body":{"model":"text-embedding-3-small","input":[[101,102,103],[7,8]]}}"""));
        Assert.Equal(O200k.CountTokens("What is this?") + PromptTokenCounter.TokensPerImage + PromptTokenCounter.TokensPerMessage + PromptTokenCounter.TokensPerConversation,
            Count("""{"body":{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA","detail":"low"}}]}]}}"""));
        Assert.Equal(0, Count("""{"body":{"model":"gpt-4o","temperature":0.2,"metadata":{"team":"search"}}}"""));
    }

    [Fact]
    public void TheModelChoosesTheTokenizer_AndAnUnknownOneIsCountedWithO200k_AsAnEstimate()
    {
        Assert.Equal(PromptEncoding.Cl100kBase, PromptEncoding.For("gpt-4-0613").Name);
        Assert.Equal(PromptEncoding.O200kBase, PromptEncoding.For("gpt-4o-mini-2024-07-18").Name);
        Assert.Equal(PromptEncoding.O200kBase, PromptEncoding.For("ft:gpt-4.1-mini:acme::abc123").Name);
        Assert.False(PromptEncoding.For("o3-mini").IsEstimate);
        Assert.True(PromptEncoding.For("my-azure-deployment").IsEstimate);

        const string text = "Ünïcode, emoji 🙂 and code: for (var i = 0; i < n; i++) { sum += i; }";
        var line = $$$"""{"body":{"model":"gpt-4","prompt":"{{{text}}}"}}""";
        using var counter = new PromptTokenCounter();
        Assert.Equal(Cl100k.CountTokens(text), counter.CountRequest(Encoding.UTF8.GetBytes(line)));
        Assert.Equal("gpt-4", counter.Model);
    }

    public static TheoryData<string> Texts => new()
    {
        "Plain English, with punctuation; quotes \"like these\" and (parentheses).",
        "I'm sure they'll say WE'RE done, can't you?",
        "Numbers 1 12 123 1234 12345678901 and 3.14159, dates 2026-12-05 and $1,234.50.",
        "Whitespace:   three spaces,\ttabs,\r\nWindows lines,\n\n\nblank lines and trailing   ",
        "Ünïcödé, 中文文本, русский текст, emoji 🙂👍🏽 and a ZWJ 👩‍💻 sequence.",
        "code: for (var i = 0; i < n; i++) { sum += a[i] * b[i]; } // done\n    return sum;",
        "<|endoftext|> and <|fim_prefix|> are only text here.",
        "Averyveryveryverylongwordwithoutanyspacesthatthetokenizermustsplitintomanypieces" + new string('x', 500),
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void WordByWord_TheCountIsTheTokenizersOwn_ForEitherEncoding(string text)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(text);
        Assert.Equal(O200k.CountTokens(text), Count($$$"""{"body":{"model":"gpt-4o","prompt":{{{json}}}}}"""));
        Assert.Equal(Cl100k.CountTokens(text), Count($$$"""{"body":{"model":"gpt-4","prompt":{{{json}}}}}"""));

        // Seen again, the words' kept counts give the same sum.
        using var counter = new PromptTokenCounter("gpt-4o");
        var line = Encoding.UTF8.GetBytes($$$"""{"body":{"model":"gpt-4o","prompt":[{{{json}}},{{{json}}}]}}""");
        Assert.Equal(2 * O200k.CountTokens(text), counter.CountRequest(line));
        Assert.Equal(2 * O200k.CountTokens(text), counter.CountRequest(line));
    }

    [Fact]
    public void ALongTextRepeatedOnEveryLine_CountsTheSameEachTime_AndGarbageCountsNothing()
    {
        var system = string.Join(' ', Enumerable.Repeat("Classify the ticket by product area and urgency, citing the sentence that decided it.", 20));
        using var counter = new PromptTokenCounter();
        var counts = Enumerable.Range(0, 5).Select(i => counter.CountRequest(Encoding.UTF8.GetBytes(
            $$$"""{"custom_id":"t{{{i}}}","body":{"model":"gpt-4o-mini","messages":[{"role":"system","content":"{{{system}}}"},{"role":"user","content":"ticket {{{i}}}"}]}}"""))).ToList();
        Assert.All(counts, c => Assert.Equal(counts[0], c));
        Assert.Equal(O200k.CountTokens(system) + O200k.CountTokens("ticket 0") + 9, counts[0]);

        Assert.Equal(0, counter.CountRequest("{\"body\": {\"model\": \"gpt-4o\", \"messages\": [{\"content\": \"cut off"u8));
        Assert.Equal(0, counter.CountRequest("not json at all"u8));
        Assert.Equal(0, counter.CountRequest("[1, 2, 3]"u8));
    }

    [Fact]
    public void LinesBeforeTheModelIsKnown_LeaveNoCountsOfAnotherVocabularyBehind()
    {
        const string text = "Tokenizers disagree about words like antidisestablishmentarianism and Ünïcödé.";
        Assert.NotEqual(O200k.CountTokens(text), Cl100k.CountTokens(text)); // or the test could not fail
        using var counter = new PromptTokenCounter();
        counter.CountRequest(Encoding.UTF8.GetBytes($$$"""{"body":{"prompt":"{{{text}}}"}}""")); // no model yet: o200k
        Assert.Equal(Cl100k.CountTokens(text), counter.CountRequest(Encoding.UTF8.GetBytes($$$"""{"body":{"model":"gpt-4","prompt":"{{{text}}}"}}""")));
    }

    [Fact]
    public async Task AFile_IsCountedLineByLine_WithItsRequestsAndModel()
    {
        var lines = string.Join('\n', Enumerable.Range(1, 3).Select(i =>
            $$$"""{"custom_id":"r{{{i}}}","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4.1","messages":[{"role":"user","content":"question {{{i}}}"}]}}""")) + "\n\n";
        var count = await InputTokenCount.CountAsync(new MemoryStream(Encoding.UTF8.GetBytes(lines)), TestContext.Current.CancellationToken);

        Assert.Equal(3, count.Requests);
        Assert.Equal("gpt-4.1", count.Model);
        Assert.Equal(PromptEncoding.O200kBase, count.Encoding);
        Assert.False(count.IsEstimate);
        Assert.Equal(Enumerable.Range(1, 3).Sum(i => O200k.CountTokens($"question {i}") + 6), count.Tokens);
    }
}
