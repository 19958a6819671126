using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BatchDashboard.Core.Cache;

/// <summary>Used by <c>dotnet ef</c> only (migrations add, has-pending-model-changes); never at run time.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<BatchCacheDbContext>
{
    public BatchCacheDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<BatchCacheDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>
/// The PostgreSQL migrations' factory for <c>dotnet ef … --context PostgresCacheDbContext</c>; adding a migration
/// connects to nothing.
/// </summary>
internal sealed class PostgresDesignTimeDbContextFactory : IDesignTimeDbContextFactory<PostgresCacheDbContext>
{
    public PostgresCacheDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresCacheDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
