using System.Globalization;

namespace BatchDashboard.Dashboard.Model;

/// <summary>A count and its noun, singular for one: "1 request", "2,400 requests", "3 batches".</summary>
public static class Plural
{
    public static string Of(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {(count == 1 ? noun : PluralOf(noun))}");

    // The dashboard's nouns: a request, a batch, a problem; "-s", or "-es" after a hiss.
    private static string PluralOf(string noun) =>
        noun.EndsWith("ch", StringComparison.Ordinal) || noun.EndsWith("sh", StringComparison.Ordinal) || noun.EndsWith('s') || noun.EndsWith('x')
            ? noun + "es"
            : noun + "s";
}
