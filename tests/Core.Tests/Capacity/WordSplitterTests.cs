using BatchDashboard.Tokens;
using Microsoft.ML.Tokenizers;

namespace BatchDashboard.Core.Tests.Capacity;

/// <summary>
/// Our hand-written pre-tokenizer (<see cref="WordSplitter"/>) splits exactly as the library's regular expressions do:
/// every UTF-16 character in the places the patterns treat differently, and random text of the characters that matter.
/// </summary>
public sealed class WordSplitterTests
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");
    private static readonly Tokenizer Cl100k = TiktokenTokenizer.CreateForEncoding("cl100k_base");

    public static TheoryData<string> Encodings => ["o200k_base", "cl100k_base"];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void EveryCharacter_InEveryPlaceThePatternsTellApart_IsSplitAsTheLibrarySplitsIt(string encoding)
    {
        string[] places = ["{0}", "a{0}", "{0}a", "A{0}", "{0}A", " {0}b", "x{0}{0}y", "A{0}b", "Ab{0}", "x'{0}", "x'{0}e", "1{0}", "{0}1", "{0}\n", " {0} ", ".{0}/\n", "\u4E2D{0}"];
        var mismatches = new List<string>();
        for (var c = 0; c <= char.MaxValue && mismatches.Count < 10; c++)
        {
            foreach (var place in places)
            {
                var text = place.Replace("{0}", ((char)c).ToString(), StringComparison.Ordinal);
                if (WordSplitter.Handles(text) && !SameSplit(encoding, text))
                {
                    mismatches.Add($"U+{c:X4} in \"{place}\"");
                }
            }
        }

        Assert.Empty(mismatches);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void RandomText_OfTheCharactersThatMatter_IsSplitAsTheLibrarySplitsIt(string encoding)
    {
        // Both cases of the contractions' letters, digits, each kind of space and line break, punctuation and '/', a
        // capital word, other scripts, marks, a modifier and a title-case letter, a surrogate pair, and the long s.
        const string alphabet = "aZ'sSrReEvVlLmMdDtTxQ 1 9\t\n\r\v\f/.,-!(\u00E9\u4E2D\u0301\u02B0\u01C5\u0663\uD83D\uDE00\u00A0\u2028\u017F";
        var random = new Random(5);
        var mismatches = new List<string>();
        for (var n = 0; n < 20_000 && mismatches.Count < 10; n++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(1, 40)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            if (!SameSplit(encoding, text))
            {
                mismatches.Add(System.Text.Json.JsonSerializer.Serialize(text));
            }
        }

        Assert.Empty(mismatches);
    }

    [Fact]
    public void TextThatMayHoldASpecialToken_IsLeftToTheLibrary()
    {
        Assert.False(WordSplitter.Handles("before <|endoftext|> after"));
        Assert.True(WordSplitter.Handles("a < b | c"));
    }

    private static bool SameSplit(string encoding, string text)
    {
        var tokenizer = encoding == "o200k_base" ? O200k : Cl100k;
        var expected = tokenizer.PreTokenizer!.PreTokenize(text).ToList();
        var actual = new List<(int Offset, int Length)>();
        for (var i = 0; i < text.Length;)
        {
            var length = encoding == "o200k_base" ? WordSplitter.O200k(text, i) : WordSplitter.Cl100k(text, i);
            actual.Add((i, length));
            i += length;
        }

        return expected.SequenceEqual(actual);
    }
}
