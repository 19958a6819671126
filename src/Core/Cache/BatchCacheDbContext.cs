using Microsoft.EntityFrameworkCore;

namespace BatchDashboard.Core.Cache;

/// <summary>The SQLite cache. Short-lived: create one per operation through <see cref="IDbContextFactory{TContext}"/>.</summary>
internal sealed class BatchCacheDbContext(DbContextOptions<BatchCacheDbContext> options) : DbContext(options)
{
    public DbSet<SyncStateRecord> SyncStates => Set<SyncStateRecord>();

    public DbSet<BatchRecord> Batches => Set<BatchRecord>();

    public DbSet<BatchDocumentRecord> BatchDocuments => Set<BatchDocumentRecord>();

    public DbSet<BatchMetadataRecord> BatchMetadata => Set<BatchMetadataRecord>();

    public DbSet<BatchSnapshotRecord> BatchSnapshots => Set<BatchSnapshotRecord>();

    public DbSet<ResultFileRecord> ResultFiles => Set<ResultFileRecord>();

    public DbSet<ResultRequestRecord> ResultRequests => Set<ResultRequestRecord>();

    public DbSet<ResultProblemRecord> ResultProblems => Set<ResultProblemRecord>();

    public DbSet<Audit.AuditRecord> AuditEntries => Set<Audit.AuditRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(BatchCacheDbContext).Assembly);
}
