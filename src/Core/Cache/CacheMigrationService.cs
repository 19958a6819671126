using Microsoft.Extensions.Hosting;

namespace BatchDashboard.Core.Cache;

/// <summary>Applies migrations at start-up, before the app takes requests or the sync starts.</summary>
internal sealed class CacheMigrationService(IBatchCacheDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
