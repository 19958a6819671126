using BatchDashboard.Dashboard.Model;
using Microsoft.Extensions.Time.Testing;

namespace BatchDashboard.Dashboard.Tests.Model;

public sealed class ToastServiceTests
{
    [Fact]
    public void Messages_LeaveAfterTheirLifetime_ErrorsStayUntilDismissed()
    {
        var clock = new FakeTimeProvider();
        using var toasts = new ToastService(clock);
        var changes = 0;
        toasts.Changed += () => changes++;

        toasts.Show("Cancel requested.", ToastTone.Success);
        toasts.Show("The API refused.", ToastTone.Error);
        clock.Advance(ToastService.Lifetime - TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, toasts.Toasts.Count);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        var error = Assert.Single(toasts.Toasts);
        Assert.Equal(("The API refused.", ToastTone.Error), (error.Text, error.Tone));

        clock.Advance(TimeSpan.FromHours(1));
        toasts.Dismiss(error.Id);
        Assert.Empty(toasts.Toasts);
        Assert.Equal(4, changes);
    }
}
