using BatchDashboard.Tests.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BatchDashboard.Dashboard.Tests.Support;

/// <summary>
/// What a bUnit test needs for Core to run for real: a loopback upstream that speaks the Batch API (batches the test
/// adds and changes), a SQLite file, the configuration pointing at both (polls an hour apart, so only the test moves
/// the cache), and Core's hosted services started and stopped in order.
/// </summary>
public sealed class LiveCore : IAsyncDisposable
{
    private readonly TemporaryDatabase _database = new();
    private readonly ApiTestServer _upstream;
    private List<IHostedService> _started = [];

    public LiveCore(params string[] batches)
    {
        foreach (var batch in batches)
        {
            Api.Add(batch);
        }

        _upstream = new ApiTestServer(Api.HandleAsync);
    }

    public FakeBatchApi Api { get; } = new();

    /// <summary>The configuration of one connection to the upstream, and <paramref name="more"/>.</summary>
    public IConfiguration Configuration(params (string Key, string Value)[] more)
    {
        var values = new Dictionary<string, string?>
        {
            ["OPENAI_API_KEY"] = "sk-live-core",
            ["OPENAI_BASE_URL"] = _upstream.BaseUrl.ToString(),
            ["ConnectionStrings:BatchCache"] = _database.ConnectionString,
            ["BatchDashboard:Sync:ActivePollInterval"] = "01:00:00",
            ["BatchDashboard:Sync:IdlePollInterval"] = "01:00:00",
        };
        foreach (var (key, value) in more)
        {
            values[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    /// <summary>Core's hosted services (the migration, the sync), in order, as a host starts them.</summary>
    public async Task StartAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        _started = [.. services.GetServices<IHostedService>().Where(s => s.GetType().Namespace?.StartsWith("BatchDashboard.Core", StringComparison.Ordinal) == true)];
        foreach (var service in _started)
        {
            await service.StartAsync(cancellationToken);
        }
    }

    /// <summary>Stops what <see cref="StartAsync"/> started, in reverse order (before the test's services go).</summary>
    public async Task StopAsync()
    {
        foreach (var service in Enumerable.Reverse(_started))
        {
            await service.StopAsync(CancellationToken.None);
        }

        _started = [];
    }

    /// <summary>The upstream and the database file (after the test's services are gone).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _upstream.DisposeAsync();
        _database.Dispose();
    }
}
