using BatchDashboard.Core.Api;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchDashboard.Core.Tests.Support;

/// <summary>Core's real services over a temporary SQLite file and a loopback upstream.</summary>
public sealed class CoreHarness : IAsyncDisposable
{
    private readonly TemporaryDatabase _database = new();
    private ApiTestServer? _server;

    private CoreHarness(Dictionary<string, string?> settings, TimeProvider? time)
    {
        settings.TryAdd("ConnectionStrings:BatchCache", _database.ConnectionString);
        OnPostgres = settings.GetValueOrDefault("BatchDashboard:Database:Provider") == "Postgres";
        if (OnPostgres)
        {
            // Beside nothing on PostgreSQL: the local copies go in the test's own folder.
            settings.TryAdd("BatchDashboard:Database:FilesFolder", Path.Combine(_database.Folder, "files"));
        }

        Services = TestClients.Services(settings, time);
    }

    public ServiceProvider Services { get; }

    /// <summary>True when the cache is in PostgreSQL rather than the temporary SQLite file.</summary>
    public bool OnPostgres { get; }

    public FakeBatchApi Api { get; } = new();

    public ApiConnection Connection { get; private set; } = default!;

    /// <param name="time">The clock the services read (the system's when null).</param>
    public static async Task<CoreHarness> StartAsync(Dictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var harness = new CoreHarness(settings ?? [], time);
        await harness.Services.GetRequiredService<IBatchCacheDatabase>().MigrateAsync(CancellationToken.None);
        harness._server = new ApiTestServer(harness.Api.HandleAsync);
        harness.Connection = TestClients.Connection(harness._server.BaseUrl);
        return harness;
    }

    /// <summary>The same services over a fresh database of a private PostgreSQL.</summary>
    public static async Task<CoreHarness> StartAsync(PostgresServer postgres, Dictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        settings ??= [];
        settings["BatchDashboard:Database:Provider"] = "Postgres";
        settings["ConnectionStrings:BatchCache"] = await postgres.CreateDatabaseAsync();
        return await StartAsync(settings, time);
    }

    public TemporaryDatabase Database => _database;

    internal BatchStore Store => Services.GetRequiredService<BatchStore>();

    public IBatchQueries Queries => Services.GetRequiredService<IBatchQueries>();

    /// <summary>
    /// Moves the cache's schema up or down to <paramref name="migration"/> (null: the latest), as an upgrade or a
    /// rollback would, and forgets what the queries kept from before.
    /// </summary>
    internal async Task MigrateToAsync(string? migration)
    {
        await using var context = await Services.GetRequiredService<IDbContextFactory<BatchCacheDbContext>>().CreateDbContextAsync();
        await context.Database.MigrateAsync(migration);
        Services.GetRequiredService<CacheGeneration>().Advance();
    }

    /// <summary>An integer that <paramref name="sql"/> reads from the cache.</summary>
    internal async Task<long> ScalarAsync(string sql)
    {
        await using var context = await Services.GetRequiredService<IDbContextFactory<BatchCacheDbContext>>().CreateDbContextAsync();
        await context.Database.OpenConnectionAsync();
        await using var command = context.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        return DbCommandExtensions.AsInt64(await command.ExecuteScalarAsync());
    }

    internal ConnectionSyncer Syncer(int pageSize = 100, ApiConnection? connection = null) => new(
        TestClients.Client(Services, connection ?? Connection),
        Store,
        Services.GetRequiredService<BatchChangeNotifier>(),
        Services.GetRequiredService<SyncStatusBoard>(),
        new SyncOptions { PageSize = pageSize },
        TimeProvider.System,
        NullLogger.Instance);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await Services.DisposeAsync();
        _database.Dispose();
    }
}
