namespace BatchDashboard.Core.Tests.Architecture;

/// <summary>
/// Core's areas (Api, Batches, Cache, Sync, ...) depend on each other one way only, so each can be read, changed and
/// tested from the ones below it. The composition root (<c>BatchDashboard.Core</c> itself, which registers them all)
/// may use any of them; nothing uses it.
/// </summary>
public sealed class NamespaceDependencyTests
{
    private const string Root = "BatchDashboard.Core";

    private static readonly NamespaceGraph Graph = new(typeof(BatchCoreServiceCollectionExtensions).Assembly, AreaOf);

    [Fact]
    public void CoreAreas_HaveNoCycles()
    {
        var cycles = Graph.Cycles();

        Assert.True(cycles.Count == 0, "Core's namespaces depend on each other in a cycle:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void NoArea_UsesTheCompositionRoot()
    {
        var uses = Graph.Edges.Where(e => e.Key.To == Root).Select(e => $"{e.Key.From}: {e.Value}").ToList();

        Assert.True(uses.Count == 0, "Only the host uses the composition root:\n" + string.Join("\n", uses));
    }

    [Fact]
    public void TheGraph_SeesTheDependenciesItShould()
    {
        // The check above can only be trusted if the graph finds what is plainly there.
        Assert.Contains(("Sync", "Api"), Graph.Edges.Keys);
        Assert.Contains(("Cache", "Batches"), Graph.Edges.Keys);
        Assert.Contains((Root, "Sync"), Graph.Edges.Keys);
    }

    /// <summary>The area a type of Core belongs to: the first namespace under Core (migrations are the cache's), or the root.</summary>
    private static string? AreaOf(Type type)
    {
        var name = type.Namespace;
        if (name is null || !(name == Root || name.StartsWith(Root + ".", StringComparison.Ordinal)) || type.Assembly != typeof(BatchCoreServiceCollectionExtensions).Assembly)
        {
            return null;
        }

        return name == Root ? Root : name[(Root.Length + 1)..].Split('.')[0];
    }
}
