using BatchDashboard.Core.Cache;
using Microsoft.EntityFrameworkCore;

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
}
