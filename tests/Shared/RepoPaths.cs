namespace BatchDashboard.Tests.Shared;

/// <summary>Where the repository is, found from the test binaries by looking for the solution file.</summary>
public static class RepoPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "BatchDashboard.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"BatchDashboard.sln was not found above {AppContext.BaseDirectory}.");
    }
}
