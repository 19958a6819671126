namespace BatchDashboard.Core.Capacity;

/// <summary>
/// OpenAI's published batch queue limits (prompt tokens queued per model) by usage tier, from its rate-limits guide
/// (the figures <c>docs/CAPACITY.md</c> lists, with their date). An organization's own Limits page is what counts:
/// a limit set in configuration, or one a failed batch taught, comes first.
/// </summary>
public static class PublishedLimits
{
    public static readonly IReadOnlyList<int> Tiers = [1, 2, 3, 4, 5];

    // Model → limit per tier 1..5 (null where no figure was published for that tier).
    private static readonly (string Model, long?[] ByTier)[] Table =
    [
        ("gpt-4o-mini", [2_000_000, 20_000_000, 40_000_000, 1_000_000_000, 15_000_000_000]),
        ("gpt-4o", [90_000, 1_350_000, 50_000_000, 200_000_000, 5_000_000_000]),
        ("gpt-4.1-nano", [2_000_000, null, null, null, null]),
        ("gpt-4.1-mini", [2_000_000, null, null, null, null]),
        ("gpt-4.1", [900_000, null, null, null, null]),
        ("gpt-5-nano", [2_000_000, null, null, null, null]),
        ("gpt-5-mini", [5_000_000, null, null, null, null]),
        ("gpt-5", [1_500_000, null, null, null, null]),
        ("o1-mini", [2_000_000, null, null, null, null]),
        ("o1", [90_000, null, null, null, null]),
        ("gpt-4-turbo", [90_000, null, null, null, null]),
        ("gpt-4", [100_000, null, null, null, null]),
        ("gpt-3.5-turbo", [2_000_000, null, null, null, null]),
        ("text-embedding-3-large", [3_000_000, 20_000_000, 100_000_000, 500_000_000, 4_000_000_000]),
        ("text-embedding-3-small", [3_000_000, 20_000_000, 100_000_000, 500_000_000, 4_000_000_000]),
        ("text-embedding-ada-002", [3_000_000, 20_000_000, 100_000_000, 500_000_000, 4_000_000_000]),
    ];

    /// <summary>The published limit for the model (or a dated version of it) on that tier; null when none.</summary>
    public static (string Model, long Tokens)? For(int tier, string model)
    {
        if (!Tiers.Contains(tier))
        {
            return null;
        }

        var found = Table.FirstOrDefault(row => Tokens.ModelNames.Covers(row.Model, model));
        return found.ByTier?[tier - 1] is { } tokens ? (found.Model, tokens) : null;
    }

    /// <summary>Every figure of a tier, for the emulator's demo and the docs.</summary>
    public static IReadOnlyDictionary<string, long> Of(int tier) =>
        Table.Where(row => row.ByTier[tier - 1] is not null).ToDictionary(row => row.Model, row => row.ByTier[tier - 1]!.Value);
}
