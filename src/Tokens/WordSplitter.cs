using System.Globalization;

namespace BatchDashboard.Tokens;

/// <summary>
/// Splits text into the words BPE counts one by one, exactly as <c>Microsoft.ML.Tokenizers</c>' pre-tokenizer does with
/// OpenAI's patterns for <c>o200k_base</c> and <c>cl100k_base</c> (tiktoken's <c>openai_public.py</c>), written out by
/// hand: the library runs a general regular expression, and on text of its own that was most of a count's time
/// (<c>docs/PERFORMANCE.md</c>, "Capacity"). Each method returns the length of the word that starts at a position, by
/// walking the pattern's alternatives in order with the regular expression's own greedy and backtracking rules; the
/// comments give each alternative. Characters are classed as .NET's regular expressions class them: one UTF-16 unit at
/// a time (a surrogate is neither letter nor digit), <c>\s</c> as <see cref="char.IsWhiteSpace(char)"/>.
/// <para>Special tokens (<c>&lt;|endoftext|&gt;</c> and the like) are not handled here: text holding <c>&lt;|</c> goes
/// to the library. <c>WordSplitterTests</c> checks every character and random text against the library.</para>
/// </summary>
internal static class WordSplitter
{
    [Flags]
    private enum Kind : byte
    {
        None = 0,
        Letter = 1,      // \p{L}
        Number = 2,      // \p{N}
        Space = 4,       // \s
        NewLine = 8,     // [\r\n]
        Upper = 16,      // o200k's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
        Lower = 32,      // o200k's [\p{Ll}\p{Lm}\p{Lo}\p{M}]
    }

    private static readonly Kind[] Ascii = [.. Enumerable.Range(0, 128).Select(c => Classify((char)c))];

    /// <summary>True when the text can be split here; false when it holds what may be a special token.</summary>
    public static bool Handles(ReadOnlySpan<char> text) => !text.Contains("<|", StringComparison.Ordinal);

    /// <summary>
    /// The length of the <c>o200k_base</c> word at <paramref name="i"/> (&lt; the text's length):
    /// <c>[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
    /// [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
    /// \p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>.
    /// </summary>
    public static int O200k(ReadOnlySpan<char> text, int i)
    {
        var prefix = IsPrefix(KindOf(text[i])) && i + 1 < text.Length;

        // Capitalised or lower-case words, with one character before them and a contraction after.
        var end = prefix ? CasedWord(text, i + 1) : -1;
        if (end < 0)
        {
            end = CasedWord(text, i);
        }

        // Upper-case words (and capitalised ones a mark or the like ends).
        if (end < 0 && prefix)
        {
            end = UpperWord(text, i + 1);
        }

        if (end < 0)
        {
            end = UpperWord(text, i);
        }

        return end >= 0 ? end - i : Rest(text, i, "\r\n/", wholeSpaceAtEnd: false);
    }

    /// <summary>
    /// The length of the <c>cl100k_base</c> word at <paramref name="i"/>:
    /// <c>'(?i:[sdmt]|ll|ve|re)|(?&gt;[^\r\n\p{L}\p{N}]?)(?&gt;\p{L}+)|(?&gt;\p{N}{1,3})| ?(?&gt;[^\s\p{L}\p{N}]+)(?&gt;[\r\n]*)|
    /// (?&gt;\s+)$|\s*[\r\n]|\s+(?!\S)|\s</c>.
    /// </summary>
    public static int Cl100k(ReadOnlySpan<char> text, int i)
    {
        if (Contraction(text, i) is var contraction and > 0)
        {
            return contraction;
        }

        // Letters, with one character before them: the group is atomic, so a character taken is kept.
        var letters = IsPrefix(KindOf(text[i])) ? i + 1 : i;
        var end = Run(text, letters, Kind.Letter);
        if (end > letters)
        {
            return end - i;
        }

        return Rest(text, i, "\r\n", wholeSpaceAtEnd: true);
    }

    /// <summary>
    /// The alternatives both patterns end with: up to three digits; punctuation (after one optional space) with the
    /// <paramref name="trailing"/> characters after it; whitespace up to its last new line (cl100k first takes
    /// whitespace that ends the text whole: <paramref name="wholeSpaceAtEnd"/>); whitespace but its last character
    /// before a word; whitespace. (o200k's <c>\s*[\r\n]+</c> and cl100k's <c>\s*[\r\n]</c> end at the same place.)
    /// </summary>
    private static int Rest(ReadOnlySpan<char> text, int i, string trailing, bool wholeSpaceAtEnd)
    {
        var kind = KindOf(text[i]);
        if ((kind & Kind.Number) != 0)
        {
            var digits = i + 1;
            while (digits < text.Length && digits < i + 3 && (KindOf(text[digits]) & Kind.Number) != 0)
            {
                digits++;
            }

            return digits - i;
        }

        var punctuation = text[i] == ' ' && i + 1 < text.Length && IsPunctuation(KindOf(text[i + 1])) ? i + 1 : i;
        if (IsPunctuation(KindOf(text[punctuation])))
        {
            var end = punctuation + 1;
            while (end < text.Length && IsPunctuation(KindOf(text[end])))
            {
                end++;
            }

            while (end < text.Length && trailing.Contains(text[end]))
            {
                end++;
            }

            return end - i;
        }

        // Whitespace: the run, up to and with its last new line if it has one.
        var run = Run(text, i, Kind.Space);
        if (wholeSpaceAtEnd && run == text.Length)
        {
            return run - i;
        }

        for (var last = run - 1; last >= i; last--)
        {
            if ((KindOf(text[last]) & Kind.NewLine) != 0)
            {
                return last + 1 - i;
            }
        }

        // All of it at the end of the text; else all but the last space, which goes with the word after it.
        return run == text.Length || run - i == 1 ? run - i : run - 1 - i;
    }

    /// <summary>o200k's <c>Upper* Lower+ contraction?</c> from <paramref name="start"/>: its end, or -1.</summary>
    private static int CasedWord(ReadOnlySpan<char> text, int start)
    {
        // Upper* takes all it can, then gives back until Lower+ can start (marks and other letters are both).
        var upper = Run(text, start, Kind.Upper);
        var lower = upper;
        while (lower >= start && (lower == text.Length || (KindOf(text[lower]) & Kind.Lower) == 0))
        {
            lower--;
        }

        if (lower < start)
        {
            return -1;
        }

        var end = Run(text, lower, Kind.Lower);
        return end + Contraction(text, end);
    }

    /// <summary>o200k's <c>Upper+ Lower* contraction?</c> from <paramref name="start"/>: its end, or -1.</summary>
    private static int UpperWord(ReadOnlySpan<char> text, int start)
    {
        var upper = Run(text, start, Kind.Upper);
        if (upper == start)
        {
            return -1;
        }

        var end = Run(text, upper, Kind.Lower);
        return end + Contraction(text, end);
    }

    /// <summary>The length of <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)</c> at <paramref name="i"/>, or 0.</summary>
    private static int Contraction(ReadOnlySpan<char> text, int i)
    {
        if (i + 1 >= text.Length || text[i] != '\'')
        {
            return 0;
        }

        if (text[i + 1] is 's' or 'S' or 't' or 'T' or 'm' or 'M' or 'd' or 'D')
        {
            return 2;
        }

        return i + 2 < text.Length && (char.ToLowerInvariant(text[i + 1]), char.ToLowerInvariant(text[i + 2])) is ('r', 'e') or ('v', 'e') or ('l', 'l')
            ? 3
            : 0;
    }

    private static int Run(ReadOnlySpan<char> text, int start, Kind kind)
    {
        var end = start;
        while (end < text.Length && (KindOf(text[end]) & kind) != 0)
        {
            end++;
        }

        return end;
    }

    /// <summary><c>[^\r\n\p{L}\p{N}]</c>: the one character a word may take before it.</summary>
    private static bool IsPrefix(Kind kind) => (kind & (Kind.NewLine | Kind.Letter | Kind.Number)) == 0;

    /// <summary><c>[^\s\p{L}\p{N}]</c>.</summary>
    private static bool IsPunctuation(Kind kind) => (kind & (Kind.Space | Kind.Letter | Kind.Number)) == 0;

    private static Kind KindOf(char c) => c < 128 ? Ascii[c] : Classify(c);

    private static Kind Classify(char c)
    {
        var kind = Kind.None;
        if (c is '\r' or '\n')
        {
            kind |= Kind.NewLine;
        }

        if (char.IsWhiteSpace(c))
        {
            kind |= Kind.Space;
        }

        switch (CharUnicodeInfo.GetUnicodeCategory(c))
        {
            case UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter:
                kind |= Kind.Letter | Kind.Upper;
                break;
            case UnicodeCategory.LowercaseLetter:
                kind |= Kind.Letter | Kind.Lower;
                break;
            case UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter:
                kind |= Kind.Letter | Kind.Upper | Kind.Lower;
                break;
            case UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark:
                kind |= Kind.Upper | Kind.Lower;
                break;
            case UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber:
                kind |= Kind.Number;
                break;
        }

        return kind;
    }
}
