using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace BatchDashboard.Dashboard.Tests.Support;

/// <summary>
/// bUnit with MudBlazor's services, as its components need them: its JavaScript answered loosely (no browser), and
/// the popover provider rendered beside a component that opens tooltips, menus or dialogs.
/// </summary>
public abstract class MudTestContext : BunitContext
{
    protected MudTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    protected static CancellationToken Token => Xunit.TestContext.Current.CancellationToken;
}
