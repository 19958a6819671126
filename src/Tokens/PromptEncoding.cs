using Microsoft.ML.Tokenizers;

namespace BatchDashboard.Tokens;

/// <summary>
/// The tokenizer a model's prompts are counted with: <c>o200k_base</c> for the GPT-4o, GPT-4.1, GPT-5 and o-series
/// families, <c>cl100k_base</c> for GPT-4, GPT-3.5 and the embedding models. A model we do not know (a new family, an
/// Azure deployment's own name) is counted with <c>o200k_base</c> and marked an estimate.
/// </summary>
public sealed class PromptEncoding
{
    public const string O200kBase = "o200k_base";
    public const string Cl100kBase = "cl100k_base";

    // Longest prefix wins, so "gpt-4o" is o200k although "gpt-4" is cl100k.
    private static readonly (string Prefix, string Encoding)[] Families =
    [
        ("gpt-4o", O200kBase), ("chatgpt-4o", O200kBase), ("gpt-4.1", O200kBase), ("gpt-4.5", O200kBase), ("gpt-5", O200kBase),
        ("gpt-oss", O200kBase), ("gpt-image", O200kBase), ("gpt-realtime", O200kBase), ("o1", O200kBase), ("o3", O200kBase),
        ("o4", O200kBase), ("omni-moderation", O200kBase), ("computer-use", O200kBase), ("codex", O200kBase), ("sora", O200kBase),
        ("gpt-4", Cl100kBase), ("gpt-3.5", Cl100kBase), ("gpt-35", Cl100kBase), ("text-embedding-3", Cl100kBase),
        ("text-embedding-ada-002", Cl100kBase), ("davinci-002", Cl100kBase), ("babbage-002", Cl100kBase),
    ];

    // Loading a vocabulary takes a few hundred milliseconds and some 10 MB: once per process, shared (thread-safe).
    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding(O200kBase));
    private static readonly Lazy<Tokenizer> Cl100k = new(() => TiktokenTokenizer.CreateForEncoding(Cl100kBase));

    private PromptEncoding(string name, bool isEstimate)
    {
        Name = name;
        IsEstimate = isEstimate;
    }

    /// <summary><see cref="O200kBase"/> or <see cref="Cl100kBase"/>.</summary>
    public string Name { get; }

    /// <summary>True when the model is not one we know the tokenizer of: the count is o200k's, close but not exact.</summary>
    public bool IsEstimate { get; }

    internal Tokenizer Tokenizer => Name == Cl100kBase ? Cl100k.Value : O200k.Value;

    /// <summary>The encoding for a model name as a request names it (dated versions and fine-tunes included).</summary>
    public static PromptEncoding For(string? model)
    {
        var name = model?.Trim().ToLowerInvariant() ?? "";
        if (name.StartsWith("ft:", StringComparison.Ordinal))
        {
            name = name[3..]; // ft:gpt-4o-mini-2024-07-18:org::id
        }

        string? encoding = null;
        var longest = 0;
        foreach (var (prefix, family) in Families)
        {
            if (prefix.Length > longest && name.StartsWith(prefix, StringComparison.Ordinal))
            {
                (encoding, longest) = (family, prefix.Length);
            }
        }

        return encoding is null ? new PromptEncoding(O200kBase, isEstimate: true) : new PromptEncoding(encoding, isEstimate: false);
    }
}
