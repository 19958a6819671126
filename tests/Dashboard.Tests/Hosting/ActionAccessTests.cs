using System.Security.Claims;
using BatchDashboard.Core.Audit;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Security;
using BatchDashboard.Tests.Shared;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Dashboard.Tests.Hosting;

/// <summary>
/// Actions are checked on the server, whatever a page shows: the gate every page calls refuses what the person's
/// role or the read-only switch does not allow, limits how many a person takes, and audits each one.
/// </summary>
public sealed class ActionAccessTests : IAsyncDisposable
{
    private readonly DashboardAppFactory _app = new();
    private readonly FakeBatchApi _api;

    public ActionAccessTests()
    {
        _api = _app.WithFakeUpstream();
        _api.Add(TestBatches.Json("batch_running", "in_progress"));
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AViewer_IsRefusedCancel_AnOperatorCancels_AndBothAreAudited()
    {
        await StartAsync();

        var refused = await Assert.ThrowsAsync<ActionRefusedException>(() => As("vera", "viewer").CancelAsync("openai", "batch_running", Token));
        Assert.Equal("You need the operator role to cancel batches.", refused.Message);
        Assert.Equal(0, CancelCalls);

        var answer = await As("otto", "operator").CancelAsync("openai", "batch_running", Token);
        Assert.Equal("cancelling", answer?.Status.Name);
        Assert.Equal(1, CancelCalls);

        var entries = await _app.Services.GetRequiredService<IAuditLog>().ListAsync(10, null, Token);
        Assert.Collection(entries,
            e => Assert.Equal(("otto", "cancel", "batch_running", AuditResult.Succeeded, "openai"), (e.User, e.Action, e.Target, e.Result, e.ConnectionId)),
            e => Assert.Equal(("vera", "cancel", AuditResult.Denied), (e.User, e.Action, e.Result)));
    }

    [Fact]
    public async Task ReadOnly_RefusesEveryChange_EvenToAnAdmin_ButStillRefreshes()
    {
        _app.WithSetting("BatchDashboard:ReadOnly", "true");
        await StartAsync();
        var admin = As("ines", "admin");

        var refused = await Assert.ThrowsAsync<ActionRefusedException>(() => admin.CancelAsync("openai", "batch_running", Token));
        Assert.Contains("read-only", refused.Message, StringComparison.Ordinal);
        Assert.False(await admin.CanAsync(DashboardAction.Create));
        Assert.NotNull(await admin.RefreshAsync("openai", "batch_running", Token));
        Assert.Equal(0, CancelCalls);
    }

    [Fact]
    public async Task APersonsActions_AreRateLimited()
    {
        _app.WithSetting("BatchDashboard:Access:ActionsPerMinute", "2");
        await StartAsync();
        var viewer = As("vera", "viewer");

        await viewer.RefreshAsync("openai", "batch_running", Token);
        await viewer.RefreshAsync("openai", "batch_running", Token);
        var limited = await Assert.ThrowsAsync<ActionRefusedException>(() => viewer.RefreshAsync("openai", "batch_running", Token));

        Assert.Equal(AuditResult.RateLimited, limited.Reason);
        await As("otto", "viewer").RefreshAsync("openai", "batch_running", Token); // another person's own allowance
    }

    private int CancelCalls
    {
        get
        {
            lock (_api.CallLog)
            {
                return _api.CallLog.Count(c => c.StartsWith("POST", StringComparison.Ordinal) && c.EndsWith("/cancel", StringComparison.Ordinal));
            }
        }
    }

    private async Task StartAsync()
    {
        using var client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);
    }

    /// <summary>The gate as a page of this person's circuit sees it.</summary>
    private DashboardActions As(string name, string role)
    {
        var scope = _app.Services.CreateScope();
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], "test"));
        ((IHostEnvironmentAuthenticationStateProvider)scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>())
            .SetAuthenticationState(Task.FromResult(new AuthenticationState(user)));
        return scope.ServiceProvider.GetRequiredService<DashboardActions>();
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
