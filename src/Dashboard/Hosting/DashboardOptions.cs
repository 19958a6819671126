using BatchDashboard.Dashboard.Security;

namespace BatchDashboard.Dashboard.Hosting;

/// <summary>
/// How the dashboard presents itself and who may do what: the keys directly under <c>BatchDashboard</c>
/// (<c>Title</c>, <c>AppPath</c>, <c>AppPathLabel</c>, <c>ReadOnly</c>, <c>Embedding</c>, <c>Access</c>), or set in code
/// by a host through <c>AddBatchDashboard(configuration, options => ...)</c>. Every other key has one owner of its own
/// section: <c>Connections</c> (<c>ConnectionListOptions</c>), <c>Sync</c> (<c>SyncOptions</c>), <c>Api</c>
/// (<c>ApiResilienceOptions</c>), <c>Database</c> (<c>BatchCacheOptions</c>), <c>Pricing</c> (<c>PricingOptions</c>)
/// in Core, and <c>Demo</c> (<c>DemoOptions</c>) here.
/// </summary>
public sealed class DashboardOptions
{
    public const string SectionName = "BatchDashboard";

    /// <summary>The name in the app bar and the browser's tab.</summary>
    public string Title { get; set; } = "Batch Dashboard";

    /// <summary>A link back to the host app, shown in the app bar when set (relative to the site, or absolute).</summary>
    public string? AppPath { get; set; }

    /// <summary>The back link's text.</summary>
    public string AppPathLabel { get; set; } = "Back to the app";

    /// <summary>Nothing is sent to the API on anyone's behalf: no cancel, retry or create, whatever the role.</summary>
    public bool ReadOnly { get; set; }

    public EmbeddingOptions Embedding { get; set; } = new();

    /// <summary>
    /// The look of every page (MudBlazor's theme: both palettes, type, shape), set in code by a host that wants the
    /// dashboard in its own colours. None: the dashboard's own (<see cref="Theming.DashboardTheme"/>).
    /// </summary>
    public MudBlazor.MudTheme? Theme { get; set; }

    public AccessOptions Access { get; set; } = new();
}

/// <summary>The <c>BatchDashboard:Embedding</c> section: showing the dashboard inside another site's iframe.</summary>
public sealed class EmbeddingOptions
{
    /// <summary>
    /// The origins allowed to frame the dashboard (<c>https://portal.example.com</c>), the CSP's <c>frame-ancestors</c>.
    /// Empty (the default): no site may frame it.
    /// </summary>
    public List<string> FrameAncestors { get; set; } = [];
}
