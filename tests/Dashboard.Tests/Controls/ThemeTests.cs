using BatchDashboard.Dashboard.Components.Layout;
using BatchDashboard.Dashboard.Hosting;
using BatchDashboard.Dashboard.Model;
using BatchDashboard.Dashboard.Tests.Support;
using BatchDashboard.Dashboard.Theming;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace BatchDashboard.Dashboard.Tests.Controls;

/// <summary>
/// The theme's custom properties as the server writes them: the light palette on :root and the dark one under
/// :root[data-theme="dark"] (which js/theme.js sets before the first paint), from our theme or a host's.
/// </summary>
public sealed class ThemeTests : MudTestContext
{
    public ThemeTests()
    {
        Services.AddSingleton<StaticHtml>();
        Services.AddSingleton<ThemeCss>();
    }

    [Fact]
    public void BothPalettes_AreInTheServersHtml_TheDarkOneScopedToTheDarkTheme()
    {
        Services.AddOptions<DashboardOptions>();

        var styles = Render<ThemeStyles>().Markup;

        var dark = styles.IndexOf(DashboardTheme.DarkScope + "{", StringComparison.Ordinal);
        Assert.True(dark > 0, "no dark block");
        var light = styles[..dark];
        Assert.Contains(":root{", light, StringComparison.Ordinal);
        Assert.Contains("--mud-palette-primary: rgba(47,91,211,1);", light, StringComparison.Ordinal);
        Assert.Contains("--mud-palette-background: rgba(246,247,249,1);", light, StringComparison.Ordinal);
        Assert.Contains("--mud-palette-primary: rgba(126,162,255,1);", styles[dark..], StringComparison.Ordinal);
        Assert.Contains("--mud-palette-background: rgba(14,17,22,1);", styles[dark..], StringComparison.Ordinal);
    }

    [Fact]
    public void AHostsTheme_ReplacesOurs_InBothPalettes()
    {
        var host = new MudTheme
        {
            PaletteLight = new PaletteLight { Primary = "#aa0055" },
            PaletteDark = new PaletteDark { Primary = "#ff88bb" },
        };
        Services.AddOptions<DashboardOptions>().Configure(o => o.Theme = host);

        var styles = Render<ThemeStyles>().Markup;

        var dark = styles.IndexOf(DashboardTheme.DarkScope + "{", StringComparison.Ordinal);
        Assert.Contains("--mud-palette-primary: rgba(170,0,85,1);", styles[..dark], StringComparison.Ordinal);
        Assert.Contains("--mud-palette-primary: rgba(255,136,187,1);", styles[dark..], StringComparison.Ordinal);
        Assert.DoesNotContain("rgba(47,91,211,1)", styles, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATheme_IsRenderedOnce_ForEveryPage()
    {
        var css = Services.GetRequiredService<ThemeCss>();

        var first = await css.GetAsync(DashboardTheme.Default);
        var again = await css.GetAsync(DashboardTheme.Default);
        var other = await css.GetAsync(DashboardTheme.Create());

        Assert.Same(first.Value, again.Value);
        Assert.NotSame(first.Value, other.Value);
        Assert.Equal(first.Value, other.Value);
    }
}
