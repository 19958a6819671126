using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace BatchDashboard.Dashboard.Hosting;

/// <summary>
/// The dashboard's own address as this process serves it (the first http address the server listens on, with the
/// dashboard's mount prefix), for what must reach it from this machine: the demo's webhooks, and the links in
/// notifications when <c>BatchDashboard:Notifications:DashboardUrl</c> is not set. Null before the server listens,
/// or under a test server, which has no address.
/// </summary>
internal static class SelfAddress
{
    public static Uri? Of(IServiceProvider services)
    {
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.OrderBy(a => a.StartsWith("https", StringComparison.OrdinalIgnoreCase)).FirstOrDefault();
        if (address is null || services.GetRequiredService<DashboardMounts>().First is not { } prefix)
        {
            return null;
        }

        // Listening on every interface: this machine reaches it as localhost.
        foreach (var any in new[] { "://+", "://*", "://[::]", "://0.0.0.0" })
        {
            address = address.Replace(any, "://localhost", StringComparison.Ordinal);
        }

        return Uri.TryCreate(address.TrimEnd('/') + prefix.TrimEnd('/'), UriKind.Absolute, out var root) ? root : null;
    }
}

/// <summary>
/// Gives notifications' links the dashboard's own address once the app listens, when
/// <c>BatchDashboard:Notifications:DashboardUrl</c> does not name the one people use (behind a proxy, set it).
/// </summary>
internal sealed class NotificationLinks(IServiceProvider services, Core.Notifications.NotificationSettings settings) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // No host (a component test's services): nothing listens, so there is no address to learn.
        services.GetService<IHostApplicationLifetime>()?.ApplicationStarted.Register(() => settings.DashboardUrl ??= SelfAddress.Of(services));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
