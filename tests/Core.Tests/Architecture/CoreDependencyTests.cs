using System.Xml.Linq;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Core.Tests.Architecture;

/// <summary>Core holds the domain, client, cache and sync; no UI or ASP.NET Core type may leak into it.</summary>
public sealed class CoreDependencyTests
{
    private static readonly string[] ForbiddenPrefixes =
    [
        "Microsoft.AspNetCore",
        "Microsoft.JSInterop",
    ];

    [Fact]
    public void CoreAssembly_ReferencesNoAspNetCoreAssembly()
    {
        var references = typeof(BatchCoreServiceCollectionExtensions).Assembly.GetReferencedAssemblies();

        var forbidden = references
            .Select(reference => reference.Name ?? "")
            .Where(name => ForbiddenPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
            .ToList();

        Assert.Empty(forbidden);
    }

    [Fact]
    public void CoreProject_HasNoAspNetCoreFrameworkOrPackageReference()
    {
        var project = XDocument.Load(Path.Combine(RepoPaths.Root, "src", "Core", "BatchDashboard.Core.csproj"));

        var references = project.Descendants()
            .Where(element => element.Name.LocalName is "FrameworkReference" or "PackageReference")
            .Select(element => (string?)element.Attribute("Include") ?? "")
            .ToList();

        Assert.NotEmpty(references);
        Assert.DoesNotContain(references, name => ForbiddenPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.Equal("Microsoft.NET.Sdk", (string?)project.Root?.Attribute("Sdk"));
    }
}
