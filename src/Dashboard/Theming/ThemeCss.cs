using System.Runtime.CompilerServices;
using BatchDashboard.Dashboard.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace BatchDashboard.Dashboard.Theming;

/// <summary>
/// A theme's custom properties as MudBlazor's <see cref="MudThemeProvider"/> writes them, both palettes (the light
/// one on <c>:root</c>, the dark one under <see cref="DashboardTheme.DarkScope"/>), rendered once per theme and
/// written into every page. Rendered on each view, the two providers rebuilt some 300 custom properties and, being
/// disposed after a prerender, each threw and caught an exception (they stop watching the system's dark mode through
/// script, which a prerender cannot call): a fifth of the list page's cost under load (docs/PERFORMANCE.md).
/// A theme is read once: a host sets its <see cref="DashboardOptions.Theme"/> at start-up and does not change it after.
/// </summary>
public sealed class ThemeCss(StaticHtml renderer)
{
    private readonly ConditionalWeakTable<MudTheme, Lazy<Task<MarkupString>>> _rendered = [];

    /// <summary>The <c>&lt;style&gt;</c> elements of <paramref name="theme"/>, light and dark.</summary>
    public Task<MarkupString> GetAsync(MudTheme theme) =>
        _rendered.GetValue(theme, t => new(() => RenderAsync(t))).Value;

    private async Task<MarkupString> RenderAsync(MudTheme theme)
    {
        var light = await renderer.RenderAsync<MudThemeProvider>(new Dictionary<string, object?>
        {
            [nameof(MudThemeProvider.Theme)] = theme,
            [nameof(MudThemeProvider.IsDarkMode)] = false,
        });
        var dark = await renderer.RenderAsync<MudThemeProvider>(new Dictionary<string, object?>
        {
            [nameof(MudThemeProvider.Theme)] = DashboardTheme.DarkScoped(theme),
            [nameof(MudThemeProvider.IsDarkMode)] = true,
            [nameof(MudThemeProvider.DefaultScrollbar)] = true,
        });
        return new MarkupString(light.Value + dark.Value);
    }
}
