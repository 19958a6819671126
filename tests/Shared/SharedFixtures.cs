namespace BatchDashboard.Tests.Shared;

/// <summary>
/// The real API responses in <c>../shared/fixtures/openai/</c>, read where they are (never copied into the repo),
/// or where <c>BD_FIXTURES</c> points. Under CI they must be there.
/// </summary>
public static class SharedFixtures
{
    public static string? Folder { get; } = Find();

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The folder; without it the calling test is skipped, or fails under CI.</summary>
    public static string RequireFolder()
    {
        if (Folder is null)
        {
            Assert.False(IsCi, "CI must have ../shared/fixtures/openai beside the repository.");
            Assert.Skip("The shared fixtures folder is not beside this checkout.");
        }

        return Folder;
    }

    /// <summary>Every batch object of the JSON fixtures (single batches and list pages), once per id, as sent.</summary>
    public static IReadOnlyList<string> BatchObjects()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var batches = new List<string>();
        foreach (var file in Directory.EnumerateFiles(RequireFolder(), "*.json").Order(StringComparer.Ordinal))
        {
            using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
            var root = document.RootElement;
            var items = root.TryGetProperty("data", out var data) && data.ValueKind == System.Text.Json.JsonValueKind.Array ? data.EnumerateArray().ToList()
                : root.TryGetProperty("object", out var kind) && kind.GetString() == "batch" ? [root] : [];
            foreach (var item in items)
            {
                if (item.TryGetProperty("id", out var id) && id.GetString() is { } text && seen.Add(text))
                {
                    batches.Add(item.GetRawText());
                }
            }
        }

        return batches;
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("BD_FIXTURES") is { Length: > 0 } configured)
        {
            return Directory.Exists(configured) ? configured : null;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "fixtures", "openai");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
