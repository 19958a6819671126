using System.Buffers;
using System.Text.Json;

namespace BatchDashboard.Tokens;

/// <summary>
/// Counts the prompt tokens of batch input lines (<c>{"custom_id", "method", "url", "body"}</c>), as a provider counts
/// them against its queued-token limit: the text of the body's prompt fields, with the model's tokenizer
/// (<see cref="PromptEncoding"/>). One counter per file, used by one thread; it takes the encoding from the first line
/// that names a model.
/// <list type="bullet">
/// <item>Prompt fields: <c>messages</c> (chat), <c>input</c> and <c>instructions</c> (responses, embeddings,
/// moderations), <c>prompt</c> and <c>suffix</c> (completions, images, videos), <c>tools</c> and <c>functions</c>.
/// Inside them every string counts except those naming a role, type, id, url or format, and base64 data.</item>
/// <item>Token ids given as numbers (embeddings, completions) count one each.</item>
/// <item>A chat message adds 3 tokens and a conversation 3 more (its reply's priming), as OpenAI's guide counts them;
/// an image part counts 85 (its low-detail cost; the real cost depends on its size, which the line does not say).</item>
/// </list>
/// Two kept counts, each bounded in memory, for one target: counting a 200 MB file at 50 MB/s on one core
/// (<c>docs/PERFORMANCE.md</c>, "Capacity"). Batch files repeat long texts (a system prompt, few-shot examples, tool
/// definitions) on every line, so each long string's count is kept while the file is read (a typical file from about
/// 30 to 57 MB/s); and every word's count is kept (<see cref="CountWords"/>; then 65, and 27 to 39 for distinct text),
/// the words split by our own pre-tokenizer (<see cref="WordSplitter"/>: then about 150, and 80 to 88).
/// </summary>
public sealed class PromptTokenCounter : IDisposable
{
    public const int TokensPerMessage = 3;
    public const int TokensPerConversation = 3;
    public const int TokensPerImage = 85;

    /// <summary>Strings at least this long have their counts kept for repeats; shorter ones are cheap to count again.</summary>
    private const int RepeatMinimumChars = 256;

    /// <summary>The kept strings' total length before the store starts afresh: about 8 MB of text.</summary>
    private const int RepeatBudgetChars = 4 * 1024 * 1024;

    private static readonly HashSet<string> PromptFields = ["messages", "input", "instructions", "prompt", "suffix", "tools", "functions"];

    // Strings in prompt fields that name something rather than say it.
    private static readonly HashSet<string> NamingFields =
        ["role", "type", "id", "call_id", "file_id", "url", "image_url", "detail", "format", "file_data", "filename", "status", "mime_type", "encoding_format"];

    /// <summary>Words whose counts are kept before the store starts afresh (a few MB).</summary>
    private const int WordBudget = 100_000;

    private readonly Dictionary<string, int> _repeats = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _repeatLookup;
    private int _repeatChars;
    private readonly Dictionary<string, int> _words = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _wordLookup;
    private char[] _chars = ArrayPool<char>.Shared.Rent(16 * 1024);

    /// <param name="model">The file's model when known; otherwise the first line naming one decides.</param>
    public PromptTokenCounter(string? model = null)
    {
        _repeatLookup = _repeats.GetAlternateLookup<ReadOnlySpan<char>>();
        _wordLookup = _words.GetAlternateLookup<ReadOnlySpan<char>>();
        if (model is not null)
        {
            Model = model;
            Encoding = PromptEncoding.For(model);
        }
    }

    /// <summary>The model the counts are for: given, or the first one a line named.</summary>
    public string? Model { get; private set; }

    /// <summary>The encoding used; null until a model is known (lines before one are counted with o200k).</summary>
    public PromptEncoding? Encoding { get; private set; }

    /// <summary>The prompt tokens of one input line; 0 for a line that is not a JSON object with a body.</summary>
    public int CountRequest(ReadOnlySpan<byte> line)
    {
        try
        {
            if (Encoding is null && ModelOf(line) is { } model)
            {
                Model = model;
                Encoding = PromptEncoding.For(model);
                // Counts kept from lines before (with o200k) may be another vocabulary's.
                _repeatChars = 0;
                _repeats.Clear();
                _words.Clear();
            }

            return CountBody(line, Encoding ?? PromptEncoding.For(null));
        }
        catch (JsonException)
        {
            return 0; // a malformed line carries no request the API would queue
        }
    }

    private int CountBody(ReadOnlySpan<byte> line, PromptEncoding encoding)
    {
        var reader = new Utf8JsonReader(line);
        var tokens = 0;
        var inBody = false;
        var inPrompt = false;
        var inMessages = false;
        var messages = 0;
        var afterProperty = false;
        var naming = false;
        while (reader.Read())
        {
            var depth = reader.CurrentDepth;
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    if (depth == 1)
                    {
                        inBody = reader.ValueTextEquals("body"u8);
                    }
                    else if (depth == 2 && inBody)
                    {
                        var name = reader.GetString()!;
                        inPrompt = PromptFields.Contains(name);
                        inMessages = name == "messages";
                    }
                    else if (inPrompt)
                    {
                        naming = NamingFields.Contains(reader.GetString()!);
                    }

                    afterProperty = true;
                    continue;
                case JsonTokenType.StartObject when inMessages && depth == 3:
                    messages++;
                    break;
                case JsonTokenType.String when inBody && inPrompt && depth >= 2:
                    if (naming && (reader.ValueTextEquals("image_url"u8) || reader.ValueTextEquals("input_image"u8)))
                    {
                        tokens += TokensPerImage;
                    }
                    else if (!naming && !reader.ValueSpan.StartsWith("data:"u8))
                    {
                        tokens += CountText(ref reader, encoding);
                    }

                    break;
                case JsonTokenType.Number when inBody && inPrompt && !afterProperty:
                    tokens++; // a token id in an array of them
                    break;
                case JsonTokenType.EndObject when depth == 1:
                    inBody = inPrompt = inMessages = false;
                    break;
            }

            afterProperty = false;
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null)
            {
                naming = false;
            }
        }

        return messages > 0 ? tokens + (messages * TokensPerMessage) + TokensPerConversation : tokens;
    }

    private int CountText(ref Utf8JsonReader reader, PromptEncoding encoding)
    {
        var most = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        if (_chars.Length < most)
        {
            ArrayPool<char>.Shared.Return(_chars);
            _chars = ArrayPool<char>.Shared.Rent(most);
        }

        var text = _chars.AsSpan(0, reader.CopyString(_chars));
        if (text.Length < RepeatMinimumChars)
        {
            return CountWords(text, encoding);
        }

        if (_repeatLookup.TryGetValue(text, out var known))
        {
            return known;
        }

        var count = CountWords(text, encoding);
        if (_repeatChars + text.Length > RepeatBudgetChars)
        {
            _repeats.Clear();
            _repeatChars = 0;
        }

        _repeatLookup[text] = count;
        _repeatChars += text.Length;
        return count;
    }

    /// <summary>
    /// The tokenizer's count, word by word: the text is split into words as the tokenizer's own pre-tokenizer splits it
    /// (<see cref="WordSplitter"/>, by hand and so quicker), and each word's count is kept, so a word seen before costs a
    /// dictionary lookup instead of the library's per-word path (the sum is the same: BPE never merges across words).
    /// On distinct text in a file, 27 → 39 MB/s with the kept counts, then 80 to 88 with our split
    /// (<c>docs/PERFORMANCE.md</c>, "Capacity"). Text that may hold a special token goes to the library whole.
    /// </summary>
    private int CountWords(ReadOnlySpan<char> text, PromptEncoding encoding)
    {
        var tokenizer = encoding.Tokenizer;
        if (!WordSplitter.Handles(text))
        {
            return tokenizer.CountTokens(text);
        }

        var o200k = encoding.Name == PromptEncoding.O200kBase;
        var count = 0;
        for (var i = 0; i < text.Length;)
        {
            var length = o200k ? WordSplitter.O200k(text, i) : WordSplitter.Cl100k(text, i);
            var word = text.Slice(i, length);
            i += length;
            if (!_wordLookup.TryGetValue(word, out var tokens))
            {
                tokens = tokenizer.CountTokens(word, considerPreTokenization: false, considerNormalization: false);
                if (_words.Count >= WordBudget)
                {
                    _words.Clear();
                }

                _wordLookup[word] = tokens;
            }

            count += tokens;
        }

        return count;
    }

    /// <summary>The body's model, from a quick pass over the line.</summary>
    private static string? ModelOf(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        var inBody = false;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.CurrentDepth == 1)
            {
                inBody = reader.ValueTextEquals("body"u8);
                if (!inBody)
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            else if (reader.CurrentDepth == 2 && inBody)
            {
                var isModel = reader.ValueTextEquals("model"u8);
                reader.Read();
                if (isModel && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }

                reader.Skip();
            }
        }

        return null;
    }

    public void Dispose()
    {
        ArrayPool<char>.Shared.Return(_chars);
        _chars = [];
    }
}
