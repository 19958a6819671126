using Microsoft.EntityFrameworkCore;

namespace BatchDashboard.Core.Cache;

/// <summary>
/// The cache, in SQLite (this type, with the migrations in <c>Cache/Migrations</c>) or PostgreSQL
/// (<see cref="PostgresCacheDbContext"/>, with its own). Short-lived: create one per operation through
/// <see cref="IDbContextFactory{TContext}"/>.
/// </summary>
internal class BatchCacheDbContext : DbContext
{
    public BatchCacheDbContext(DbContextOptions<BatchCacheDbContext> options)
        : base(options)
    {
    }

    /// <summary>For a provider's own context type, which EF uses to find that provider's migrations.</summary>
    protected BatchCacheDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<SyncStateRecord> SyncStates => Set<SyncStateRecord>();

    public DbSet<BatchRecord> Batches => Set<BatchRecord>();

    public DbSet<BatchDocumentRecord> BatchDocuments => Set<BatchDocumentRecord>();

    public DbSet<BatchMetadataRecord> BatchMetadata => Set<BatchMetadataRecord>();

    public DbSet<BatchSnapshotRecord> BatchSnapshots => Set<BatchSnapshotRecord>();

    public DbSet<ResultFileRecord> ResultFiles => Set<ResultFileRecord>();

    public DbSet<ResultRequestRecord> ResultRequests => Set<ResultRequestRecord>();

    public DbSet<ResultProblemRecord> ResultProblems => Set<ResultProblemRecord>();

    public DbSet<InputTokenRecord> InputTokens => Set<InputTokenRecord>();

    public DbSet<LearnedLimitRecord> LearnedLimits => Set<LearnedLimitRecord>();

    public DbSet<WebhookReceiptRecord> WebhookReceipts => Set<WebhookReceiptRecord>();

    public DbSet<BatchEventRecord> BatchEvents => Set<BatchEventRecord>();

    public DbSet<NotificationDeliveryRecord> NotificationDeliveries => Set<NotificationDeliveryRecord>();

    public DbSet<NotificationRuleRecord> NotificationRules => Set<NotificationRuleRecord>();

    public DbSet<InsightDayRecord> InsightDays => Set<InsightDayRecord>();

    public DbSet<InsightDurationRecord> InsightDurations => Set<InsightDurationRecord>();

    public DbSet<InsightErrorRecord> InsightErrors => Set<InsightErrorRecord>();

    public DbSet<InsightErrorBatchRecord> InsightErrorBatches => Set<InsightErrorBatchRecord>();

    public DbSet<InsightStateRecord> InsightStates => Set<InsightStateRecord>();

    public DbSet<AuditRecord> AuditEntries => Set<AuditRecord>();

    public DbSet<SyncLeaseRecord> SyncLeases => Set<SyncLeaseRecord>();

    public DbSet<DataProtectionKeyRecord> DataProtectionKeys => Set<DataProtectionKeyRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(BatchCacheDbContext).Assembly);
}

/// <summary>
/// The cache in PostgreSQL: the same model, with text compared byte by byte as SQLite does (so ids sort alike and
/// keyset cursors mean the same), and the partial indexes filtered in PostgreSQL's words.
/// </summary>
internal sealed class PostgresCacheDbContext(DbContextOptions<PostgresCacheDbContext> options) : BatchCacheDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(t => t.GetProperties()).Where(p => p.ClrType == typeof(string)))
        {
            property.SetCollation("C");
        }

        var indexes = modelBuilder.Entity<BatchRecord>().Metadata.GetIndexes().ToList();
        indexes.Single(i => i.GetDatabaseName() == "ix_batches_active").SetFilter("is_terminal = FALSE");
        indexes.Single(i => i.GetDatabaseName() == "ix_batches_alarm").SetFilter("alarm = TRUE");
    }
}
