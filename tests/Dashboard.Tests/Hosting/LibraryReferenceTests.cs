using System.Xml.Linq;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Dashboard.Tests.Hosting;

/// <summary>A host that embeds the dashboard takes libraries only: no executable comes with it, not even the emulator's.</summary>
public sealed class LibraryReferenceTests
{
    [Fact]
    public void TheDashboardLibrary_ReferencesNoExecutableProject_AtAnyDepth()
    {
        var executables = ProjectsReferencedBy(Path.Combine(RepoPaths.Root, "src", "Dashboard", "BatchDashboard.Dashboard.csproj"))
            .Where(IsExecutable)
            .Select(Path.GetFileName)
            .ToList();

        Assert.Empty(executables);
    }

    [Fact]
    public void TheEmulatorsEngine_IsALibrary_AndItsStandaloneHostIsTheExecutable()
    {
        Assert.False(IsExecutable(Path.Combine(RepoPaths.Root, "src", "Emulator", "BatchDashboard.Emulator.csproj")));
        Assert.True(IsExecutable(Path.Combine(RepoPaths.Root, "src", "Emulator.Host", "BatchDashboard.Emulator.Host.csproj")));
    }

    private static bool IsExecutable(string project)
    {
        var document = XDocument.Load(project);
        var outputType = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "OutputType")?.Value;
        // The web SDK makes an executable unless told otherwise.
        return string.Equals(outputType, "Exe", StringComparison.OrdinalIgnoreCase)
            || (outputType is null && (string?)document.Root?.Attribute("Sdk") == "Microsoft.NET.Sdk.Web");
    }

    private static IEnumerable<string> ProjectsReferencedBy(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var current))
        {
            foreach (var reference in XDocument.Load(current).Descendants().Where(e => e.Name.LocalName == "ProjectReference"))
            {
                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, (string)reference.Attribute("Include")!));
                if (seen.Add(path))
                {
                    pending.Push(path);
                    yield return path;
                }
            }
        }
    }
}
