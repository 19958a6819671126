using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BatchDashboard.Core.Tests.Sync;

/// <summary>The hosted sync service with two connections: one failing never stops the other.</summary>
public sealed class SyncServiceTests : IAsyncDisposable
{
    private readonly TemporaryDatabase _database = new();
    private readonly FakeBatchApi _healthy = new();
    private readonly FakeBatchApi _broken = new();
    private readonly ApiTestServer _healthyServer;
    private readonly ApiTestServer _brokenServer;

    public SyncServiceTests()
    {
        _healthyServer = new ApiTestServer(_healthy.HandleAsync);
        _brokenServer = new ApiTestServer(_broken.HandleAsync);
        _broken.Fault = async context =>
        {
            context.Response.StatusCode = 502;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><body>Bad gateway</body></html>", context.RequestAborted);
            return true;
        };
    }

    [Fact]
    public async Task EachConnectionSyncs_IndependentlyOfTheOthersFailures()
    {
        _healthy.Add(TestBatches.Json("batch_ok", "in_progress"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(Support.TestClients.FastRetries)
        {
            ["ConnectionStrings:BatchCache"] = _database.ConnectionString,
            ["HEALTHY_KEY"] = "sk-healthy",
            ["BROKEN_KEY"] = "sk-broken",
            ["BatchDashboard:Connections:0:Id"] = "broken",
            ["BatchDashboard:Connections:0:Kind"] = "Compatible",
            ["BatchDashboard:Connections:0:BaseUrl"] = _brokenServer.BaseUrl.ToString(),
            ["BatchDashboard:Connections:0:ApiKeyName"] = "BROKEN_KEY",
            ["BatchDashboard:Connections:1:Id"] = "healthy",
            ["BatchDashboard:Connections:1:Kind"] = "Compatible",
            ["BatchDashboard:Connections:1:BaseUrl"] = _healthyServer.BaseUrl.ToString(),
            ["BatchDashboard:Connections:1:ApiKeyName"] = "HEALTHY_KEY",
            ["BatchDashboard:Sync:ActivePollInterval"] = "00:00:00.050",
            ["BatchDashboard:Sync:ErrorRetryInterval"] = "00:00:00.050",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddBatchCore(configuration).BuildServiceProvider();
        var sync = services.GetRequiredService<ISyncStatusProvider>();
        var brokenKeepsFailing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var healthyImported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var healthyUpdated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var updated = false;
        using var subscription = services.GetRequiredService<IBatchChangeNotifications>().Subscribe(change =>
        {
            var states = sync.GetAll().ToDictionary(s => s.ConnectionId);
            if (states["broken"].Phase == SyncPhase.Failing && _broken.Calls >= 6)
            {
                brokenKeepsFailing.TrySetResult();
            }

            if (change.ConnectionId == "healthy" && change.ChangedBatchIds.Contains("batch_ok"))
            {
                // Its import first (however slow the machine), then the change made after it.
                healthyImported.TrySetResult();
                if (Volatile.Read(ref updated))
                {
                    healthyUpdated.TrySetResult();
                }
            }

            return Task.CompletedTask;
        });

        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(TestContext.Current.CancellationToken);
        }

        // The broken connection fails cycle after cycle (each with its retries) ...
        await brokenKeepsFailing.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        // ... while the healthy one imports, then picks up a change on a later cycle.
        await healthyImported.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Volatile.Write(ref updated, true); // before the change: the cycle that sees it may tell of it at once
        _healthy.Update("batch_ok", b => b["status"] = "finalizing");
        await healthyUpdated.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        foreach (var hosted in services.GetServices<IHostedService>().Reverse())
        {
            await hosted.StopAsync(TestContext.Current.CancellationToken);
        }

        var states = sync.GetAll().ToDictionary(s => s.ConnectionId);
        Assert.Equal(SyncPhase.Failing, states["broken"].Phase);
        Assert.Contains("Bad gateway", states["broken"].LastError, StringComparison.Ordinal);
        Assert.Equal(SyncPhase.Polling, states["healthy"].Phase);
        var cached = await services.GetRequiredService<BatchDashboard.Core.Queries.IBatchQueries>().GetAsync("batch_ok", "healthy", TestContext.Current.CancellationToken);
        Assert.Equal(BatchDashboard.Core.Batches.BatchStatusKind.Finalizing, cached!.Batch.Status.Kind);
        Assert.True((await services.GetRequiredService<IBatchCacheDatabase>().CheckAsync(TestContext.Current.CancellationToken)).Reachable);
    }

    public async ValueTask DisposeAsync()
    {
        await _healthyServer.DisposeAsync();
        await _brokenServer.DisposeAsync();
        _database.Dispose();
    }
}
