using MudBlazor;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// What an action did ("Cancel requested: the API answered cancelling"), as MudBlazor snackbars: successes and news
/// leave after a while; errors stay until dismissed, so nobody misses why something was not done.
/// </summary>
public static class Notices
{
    public static void Success(this ISnackbar snackbar, string text) => snackbar.Add(text, Severity.Success);

    public static void Error(this ISnackbar snackbar, string text) =>
        snackbar.Add(text, Severity.Error, options => options.RequireInteraction = true);

    /// <summary>The snackbars' place and timing for every page (<c>AddMudServices</c>).</summary>
    public static void Configure(SnackbarConfiguration configuration)
    {
        configuration.PositionClass = Defaults.Classes.Position.BottomRight;
        configuration.PreventDuplicates = false;
        configuration.NewestOnTop = false;
        configuration.ShowCloseIcon = true;
        configuration.VisibleStateDuration = 8000;
        configuration.MaxDisplayedSnackbars = 4;
    }
}
