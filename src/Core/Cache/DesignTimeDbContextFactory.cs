using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BatchDashboard.Core.Cache;

/// <summary>Used by <c>dotnet ef</c> only (migrations add, has-pending-model-changes); never at run time.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<BatchCacheDbContext>
{
    public BatchCacheDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<BatchCacheDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
