using BatchDashboard.Core;
using BatchDashboard.Core.Cache;
using BatchDashboard.Tests.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Core.Tests.Cache;

public sealed class BatchCacheDatabaseTests : IDisposable
{
    private readonly TemporaryDatabase _database = new();

    [Fact]
    public async Task Migrate_CreatesTheFileAndSchema_OnFirstStart()
    {
        await using var provider = BuildServices(_database.ConnectionString);
        var cache = provider.GetRequiredService<IBatchCacheDatabase>();

        await cache.MigrateAsync(TestContext.Current.CancellationToken);

        Assert.True(File.Exists(_database.FilePath));
        var status = await cache.CheckAsync(TestContext.Current.CancellationToken);
        Assert.True(status.Reachable);
        Assert.Equal(0, status.PendingMigrations);
        Assert.Equal(_database.FilePath, status.DataSource);
        Assert.Contains("sync_states", await TableNamesAsync());
    }

    [Fact]
    public async Task Migrate_TurnsOnWriteAheadLogging()
    {
        await using var provider = BuildServices(_database.ConnectionString);
        await provider.GetRequiredService<IBatchCacheDatabase>().MigrateAsync(TestContext.Current.CancellationToken);

        await using var connection = new SqliteConnection(_database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Migrate_IsHarmless_WhenRunTwice()
    {
        await using var provider = BuildServices(_database.ConnectionString);
        var cache = provider.GetRequiredService<IBatchCacheDatabase>();

        await cache.MigrateAsync(TestContext.Current.CancellationToken);
        await cache.MigrateAsync(TestContext.Current.CancellationToken);

        Assert.True((await cache.CheckAsync(TestContext.Current.CancellationToken)).Reachable);
    }

    [Fact]
    public async Task Check_ReportsNotReachable_InsteadOfThrowing_WhenTheFileCannotBeOpened()
    {
        // A folder where the database file should be: SQLite cannot open it.
        var blocked = Path.Combine(_database.Folder, "blocked.db");
        Directory.CreateDirectory(blocked);
        await using var provider = BuildServices($"Data Source={blocked}");

        var status = await provider.GetRequiredService<IBatchCacheDatabase>().CheckAsync(TestContext.Current.CancellationToken);

        Assert.False(status.Reachable);
        Assert.False(string.IsNullOrEmpty(status.Error));
    }

    [Fact]
    public void RelativeDataSource_IsResolvedAgainstTheBaseDirectory_AndItsFolderCreated()
    {
        var resolved = SqliteConnectionStrings.Resolve("Data Source=nested/folder/cache.db", _database.Folder);

        var expected = Path.Combine(_database.Folder, "nested", "folder", "cache.db");
        Assert.Equal(expected, new SqliteConnectionStringBuilder(resolved).DataSource);
        Assert.True(Directory.Exists(Path.GetDirectoryName(expected)));
    }

    private async Task<List<string>> TableNamesAsync()
    {
        await using var connection = new SqliteConnection(_database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table';";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    [Fact]
    public async Task Migrate_StartsTheFileAfresh_WhenResetOnStartIsSet()
    {
        await using (var first = BuildServices(_database.ConnectionString))
        {
            await first.GetRequiredService<IBatchCacheDatabase>().MigrateAsync(TestContext.Current.CancellationToken);
        }

        await using (var connection = new SqliteConnection(_database.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE leftover (x INTEGER);";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var again = BuildServices(_database.ConnectionString, reset: true);
        await again.GetRequiredService<IBatchCacheDatabase>().MigrateAsync(TestContext.Current.CancellationToken);

        var tables = await TableNamesAsync();
        Assert.DoesNotContain("leftover", tables);
        Assert.Contains("sync_states", tables);
    }

    private static ServiceProvider BuildServices(string connectionString, bool reset = false)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:BatchCache"] = connectionString })
            .Build();
        var services = new ServiceCollection().AddLogging().AddBatchCore(configuration);
        services.PostConfigure<BatchCacheOptions>(options => options.ResetOnStart = reset);
        return services.BuildServiceProvider();
    }

    public void Dispose() => _database.Dispose();
}
