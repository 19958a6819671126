using MudBlazor;

namespace BatchDashboard.Dashboard.Theming;

/// <summary>
/// The dashboard's look as one <see cref="MudTheme"/>: the brand's colours for light and dark, its type and shape. A
/// host passes its own through <c>AddBatchDashboard(configuration, o => o.Theme = ...)</c>; every page, and the
/// <c>--bd-*</c> custom properties of what we style ourselves, follow its palette.
/// </summary>
public static class DashboardTheme
{
    /// <summary>
    /// Where the dark palette applies: the page's root once <c>js/theme.js</c> has set <c>data-theme="dark"</c> (the
    /// person's choice, or the system's when they chose none), before the first paint.
    /// </summary>
    public const string DarkScope = ":root[data-theme=\"dark\"]";

    /// <summary>Our theme, made once (every page writes it).</summary>
    public static readonly MudTheme Default = Create();

    public static MudTheme Create() => new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#2f5bd3",
            PrimaryContrastText = "#ffffff",
            Secondary = "#0f7f95",
            Tertiary = "#6b5bd3",
            Info = "#2f5bd3",
            Success = "#16794a",
            Warning = "#9a5b00",
            Error = "#c22a2a",
            Dark = "#374151",
            Background = "#f6f7f9",
            BackgroundGray = "#eef0f3",
            Surface = "#ffffff",
            AppbarBackground = "#ffffff",
            AppbarText = "#111827",
            DrawerBackground = "#ffffff",
            DrawerText = "#111827",
            DrawerIcon = "#5b6472",
            TextPrimary = "#111827",
            TextSecondary = "#5b6472",
            ActionDefault = "#5b6472",
            LinesDefault = "#e2e5ea",
            LinesInputs = "#9aa3b2",
            TableLines = "#e2e5ea",
            TableHover = "#f1f3f6",
            Divider = "#e2e5ea",
            DividerLight = "#eef0f3",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7ea2ff",
            PrimaryContrastText = "#0e1116",
            Secondary = "#4cc7dc",
            SecondaryContrastText = "#0e1116",
            Tertiary = "#a99cff",
            TertiaryContrastText = "#0e1116",
            Info = "#7ea2ff",
            InfoContrastText = "#0e1116",
            Success = "#4cc38a",
            SuccessContrastText = "#0e1116",
            Warning = "#e0a64b",
            WarningContrastText = "#0e1116",
            Error = "#ff7a7a",
            ErrorContrastText = "#0e1116",
            Dark = "#2a303b",
            Background = "#0e1116",
            BackgroundGray = "#12161c",
            Surface = "#161a21",
            AppbarBackground = "#161a21",
            AppbarText = "#e6e9ef",
            DrawerBackground = "#161a21",
            DrawerText = "#e6e9ef",
            DrawerIcon = "#9aa3b2",
            TextPrimary = "#e6e9ef",
            TextSecondary = "#9aa3b2",
            ActionDefault = "#9aa3b2",
            LinesDefault = "#2a303b",
            LinesInputs = "#5b6472",
            TableLines = "#2a303b",
            TableHover = "#1e232c",
            Divider = "#2a303b",
            DividerLight = "#1e232c",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["Inter", "Segoe UI", "system-ui", "-apple-system", "Helvetica Neue", "Arial", "sans-serif"],
                FontSize = "0.875rem",
                LineHeight = "1.5",
            },
            H1 = new H1Typography { FontSize = "1.5rem", FontWeight = "700", LineHeight = "1.3", LetterSpacing = "normal" },
            H2 = new H2Typography { FontSize = "1.125rem", FontWeight = "600", LineHeight = "1.4", LetterSpacing = "normal" },
            H3 = new H3Typography { FontSize = "1rem", FontWeight = "600", LineHeight = "1.4", LetterSpacing = "normal" },
            Button = new ButtonTypography { TextTransform = "none", FontWeight = "600", FontSize = "0.875rem" },
        },
        LayoutProperties = new LayoutProperties
        {
            DefaultBorderRadius = "6px",
            AppbarHeight = "56px",
            DrawerWidthLeft = "220px",
        },
    };

    /// <summary>
    /// The same theme with its scope moved to <see cref="DarkScope"/>, for the second theme provider that writes the
    /// dark palette: both palettes are in the page from the server's first HTML, and the root's attribute picks one,
    /// so the page never paints in the wrong theme, prerendered or not.
    /// </summary>
    public static MudTheme DarkScoped(MudTheme theme) => new()
    {
        PaletteLight = theme.PaletteLight,
        PaletteDark = theme.PaletteDark,
        Typography = theme.Typography,
        LayoutProperties = theme.LayoutProperties,
        Shadows = theme.Shadows,
        ZIndex = theme.ZIndex,
        PseudoCss = new PseudoCss { Scope = DarkScope },
    };
}
