using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BatchDashboard.Core.Cache;

internal sealed class BatchRecordConfiguration : IEntityTypeConfiguration<BatchRecord>
{
    public void Configure(EntityTypeBuilder<BatchRecord> builder)
    {
        builder.ToTable("batches");
        builder.HasKey(b => b.Key);
        builder.Property(b => b.Key).HasColumnName("key").ValueGeneratedOnAdd();
        builder.Property(b => b.ConnectionId).HasColumnName("connection_id");
        builder.Property(b => b.Id).HasColumnName("id");
        builder.Property(b => b.Status).HasColumnName("status");
        builder.Property(b => b.StatusRaw).HasColumnName("status_raw");
        builder.Property(b => b.IsTerminal).HasColumnName("is_terminal");
        builder.Property(b => b.Endpoint).HasColumnName("endpoint");
        builder.Property(b => b.Model).HasColumnName("model");
        builder.Property(b => b.InputFileId).HasColumnName("input_file_id");
        builder.Property(b => b.OutputFileId).HasColumnName("output_file_id");
        builder.Property(b => b.ErrorFileId).HasColumnName("error_file_id");
        builder.Property(b => b.CreatedAt).HasColumnName("created_at");
        builder.Property(b => b.ExpiresAt).HasColumnName("expires_at");
        builder.Property(b => b.EndedAt).HasColumnName("ended_at");
        builder.Property(b => b.RequestTotal).HasColumnName("request_total");
        builder.Property(b => b.RequestCompleted).HasColumnName("request_completed");
        builder.Property(b => b.RequestFailed).HasColumnName("request_failed");
        builder.Property(b => b.Alarm).HasColumnName("alarm");
        builder.Property(b => b.FailedShare).HasColumnName("failed_share");
        builder.Property(b => b.Phase).HasColumnName("phase");
        builder.Property(b => b.PhaseStartedAt).HasColumnName("phase_started_at");
        builder.Property(b => b.SearchText).HasColumnName("search_text");
        builder.Property(b => b.FirstSeenAt).HasColumnName("first_seen_at");
        builder.Property(b => b.UpdatedAt).HasColumnName("updated_at");

        // A batch is one per id and connection; the upsert's conflict target.
        builder.HasIndex(b => new { b.ConnectionId, b.Id }).IsUnique().HasDatabaseName("ux_batches_connection_id");
        // The list's default order and its keyset cursor, across connections and within one status.
        builder.HasIndex(b => new { b.CreatedAt, b.Id }).HasDatabaseName("ix_batches_created");
        builder.HasIndex(b => new { b.Status, b.CreatedAt }).HasDatabaseName("ix_batches_status_created");
        // A page filtered by endpoint or model, in created order: the index gives that endpoint's batches newest first,
        // however few there are (walking the created index for a rare one read every batch). Their header counts and
        // the filter choices come from batch_counts, which triggers keep (migration FacetCounts). A first import into
        // an empty cache builds these two after its last page (BatchStore.DeferredIndexes).
        builder.HasIndex(b => new { b.Endpoint, b.CreatedAt, b.Id }).HasDatabaseName("ix_batches_endpoint_created");
        builder.HasIndex(b => new { b.Model, b.CreatedAt, b.Id }).HasDatabaseName("ix_batches_model_created");
        // The sync's question, which batches of a connection are still running: a small partial index.
        builder.HasIndex(b => new { b.ConnectionId, b.CreatedAt }).HasFilter("is_terminal = 0").HasDatabaseName("ix_batches_active");
        // The "needs attention" count reads three small sets, each from an index that holds the columns the header
        // filters by (so the count reads no row): the alarms, the batches with failures by their share, and the
        // running ones (ix_batches_active). A page of them walks the created index.
        builder.HasIndex(b => new { b.Alarm, b.ConnectionId, b.Endpoint, b.Model }).HasFilter("alarm = 1").HasDatabaseName("ix_batches_alarm");
        builder.HasIndex(b => new { b.FailedShare, b.Alarm, b.ConnectionId, b.Endpoint, b.Model }).HasFilter("failed_share IS NOT NULL")
            .HasDatabaseName("ix_batches_failed_share");
    }
}

internal sealed class BatchDocumentRecordConfiguration : IEntityTypeConfiguration<BatchDocumentRecord>
{
    public void Configure(EntityTypeBuilder<BatchDocumentRecord> builder)
    {
        builder.ToTable("batch_documents");
        builder.HasKey(d => d.BatchKey);
        builder.Property(d => d.BatchKey).HasColumnName("batch_key").ValueGeneratedNever();
        builder.Property(d => d.RawJson).HasColumnName("raw_json");
        builder.HasOne<BatchRecord>().WithOne().HasForeignKey<BatchDocumentRecord>(d => d.BatchKey).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BatchMetadataRecordConfiguration : IEntityTypeConfiguration<BatchMetadataRecord>
{
    public void Configure(EntityTypeBuilder<BatchMetadataRecord> builder)
    {
        builder.ToTable("batch_metadata");
        builder.HasKey(m => new { m.BatchKey, m.Key });
        builder.Property(m => m.BatchKey).HasColumnName("batch_key");
        builder.Property(m => m.Key).HasColumnName("key");
        builder.Property(m => m.Value).HasColumnName("value");
        builder.HasIndex(m => new { m.Key, m.Value }).HasDatabaseName("ix_batch_metadata_key_value");
        builder.HasOne<BatchRecord>().WithMany().HasForeignKey(m => m.BatchKey).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BatchSnapshotRecordConfiguration : IEntityTypeConfiguration<BatchSnapshotRecord>
{
    public void Configure(EntityTypeBuilder<BatchSnapshotRecord> builder)
    {
        builder.ToTable("batch_snapshots");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasColumnName("id");
        builder.Property(s => s.BatchKey).HasColumnName("batch_key");
        builder.Property(s => s.ObservedAt).HasColumnName("observed_at");
        builder.Property(s => s.Status).HasColumnName("status");
        builder.Property(s => s.RequestTotal).HasColumnName("request_total");
        builder.Property(s => s.RequestCompleted).HasColumnName("request_completed");
        builder.Property(s => s.RequestFailed).HasColumnName("request_failed");
        builder.HasIndex(s => new { s.BatchKey, s.ObservedAt }).HasDatabaseName("ix_batch_snapshots_batch");
        builder.HasOne<BatchRecord>().WithMany().HasForeignKey(s => s.BatchKey).OnDelete(DeleteBehavior.Cascade);
    }
}
