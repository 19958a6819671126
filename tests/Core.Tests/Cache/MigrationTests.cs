using BatchDashboard.Core.Cache;
using BatchDashboard.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Core.Tests.Cache;

public sealed class MigrationTests
{
    [Fact]
    public void Model_HasNoChangesWithoutAMigration()
    {
        // The same check as `dotnet ef migrations has-pending-model-changes`: a model change needs a migration.
        using var context = new DesignTimeDbContextFactory().CreateDbContext([]);

        Assert.False(context.Database.HasPendingModelChanges(), "The cache model changed: add a migration (see README, Development).");
    }

    [Fact]
    public void PostgresModel_HasNoChangesWithoutAMigration()
    {
        // Each provider has its own migrations: a model change needs one for each.
        using var context = new PostgresDesignTimeDbContextFactory().CreateDbContext([]);

        Assert.False(context.Database.HasPendingModelChanges(), "The cache model changed: add a PostgreSQL migration too (see README, Development).");
    }
}

/// <summary>The PostgreSQL migrations, applied to an empty database, then again (a no-op), as two instances starting together would.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMigrationTests(PostgresServer postgres)
{
    [Fact]
    public async Task Migrate_BuildsTheCache_AndInstancesStartingTogetherMigrateOnce()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?> { ["BatchDashboard:Database:Provider"] = "Postgres", ["ConnectionStrings:BatchCache"] = connectionString };
        await using var first = Support.TestClients.Services(new Dictionary<string, string?>(settings));
        await using var second = Support.TestClients.Services(new Dictionary<string, string?>(settings));

        await Task.WhenAll(
            first.GetRequiredService<IBatchCacheDatabase>().MigrateAsync(TestContext.Current.CancellationToken),
            second.GetRequiredService<IBatchCacheDatabase>().MigrateAsync(TestContext.Current.CancellationToken));

        var status = await first.GetRequiredService<IBatchCacheDatabase>().CheckAsync(TestContext.Current.CancellationToken);
        Assert.True(status.Reachable);
        Assert.Equal(0, status.PendingMigrations);
        // Where it is, never how to sign in to it.
        Assert.StartsWith("postgres://127.0.0.1:", status.DataSource, StringComparison.Ordinal);
        Assert.DoesNotContain("Username", status.DataSource, StringComparison.Ordinal);
    }
}
