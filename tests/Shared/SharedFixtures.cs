namespace BatchDashboard.Tests.Shared;

/// <summary>
/// The real API responses in <c>../shared/fixtures/openai/</c>, read where they are (never copied into the repo),
/// or where <c>BD_FIXTURES</c> points. Under CI they must be there.
/// </summary>
public static class SharedFixtures
{
    public static string? Folder { get; } = Find();

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

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
