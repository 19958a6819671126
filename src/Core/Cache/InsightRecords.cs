using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BatchDashboard.Core.Cache;

// The insights' rollups (InsightRollups keeps them): sums per UTC day of creation and per connection, endpoint and
// model, once over all batches (meta_key and meta_value empty) and once more per metadata pair, so the page's
// metadata filter and its "group by a metadata key" read rows of their own. Endpoint and model are '' when unknown.

/// <summary>Batches, requests and tokens per day and final status (<c>running</c> for batches that have not ended).</summary>
internal sealed class InsightDayRecord
{
    public required string MetaKey { get; set; }
    public required string MetaValue { get; set; }
    public long Day { get; set; }
    public required string ConnectionId { get; set; }
    public required string Endpoint { get; set; }
    public required string Model { get; set; }
    public required string Status { get; set; }
    public long Batches { get; set; }
    public long Requests { get; set; }
    public long Completed { get; set; }
    public long Failed { get; set; }
    public long Unrun { get; set; }
    public long InputTokens { get; set; }
    public long CachedTokens { get; set; }
    public long OutputTokens { get; set; }
    public long UnrunInputTokens { get; set; }
}

/// <summary>How long completed batches took, per day and size bucket: histograms (<see cref="Batches.DurationHistogram"/>) as text.</summary>
internal sealed class InsightDurationRecord
{
    public required string MetaKey { get; set; }
    public required string MetaValue { get; set; }
    public long Day { get; set; }
    public required string ConnectionId { get; set; }
    public required string Endpoint { get; set; }
    public required string Model { get; set; }
    public int SizeBucket { get; set; }
    public long Batches { get; set; }
    public required string Turnaround { get; set; }
    public required string Validating { get; set; }
    public required string InProgress { get; set; }
    public required string Finalizing { get; set; }
}

/// <summary>Failed requests per day and error code, from the batches whose result files are indexed.</summary>
internal sealed class InsightErrorRecord
{
    public required string MetaKey { get; set; }
    public required string MetaValue { get; set; }
    public long Day { get; set; }
    public required string ConnectionId { get; set; }
    public required string Endpoint { get; set; }
    public required string Model { get; set; }
    public required string Code { get; set; }
    public long Requests { get; set; }
}

/// <summary>What one batch's indexed files added to <see cref="InsightErrorRecord"/>, so that indexing it again replaces it.</summary>
internal sealed class InsightErrorBatchRecord
{
    public long BatchKey { get; set; }
    public required string Code { get; set; }
    public long Requests { get; set; }
}

/// <summary>
/// A connection whose rollups are counted: written by the recount after its first import (until then writes leave
/// the rollups alone, as a first import leaves its deferred indexes), and from then on kept by every write.
/// </summary>
internal sealed class InsightStateRecord
{
    public required string ConnectionId { get; set; }
    public long CountedAt { get; set; }
}

internal sealed class InsightDayRecordConfiguration : IEntityTypeConfiguration<InsightDayRecord>
{
    public void Configure(EntityTypeBuilder<InsightDayRecord> builder)
    {
        builder.ToTable("insight_days");
        builder.HasKey(r => new { r.MetaKey, r.MetaValue, r.Day, r.ConnectionId, r.Endpoint, r.Model, r.Status });
        builder.Property(r => r.MetaKey).HasColumnName("meta_key");
        builder.Property(r => r.MetaValue).HasColumnName("meta_value");
        builder.Property(r => r.Day).HasColumnName("day");
        builder.Property(r => r.ConnectionId).HasColumnName("connection_id");
        builder.Property(r => r.Endpoint).HasColumnName("endpoint");
        builder.Property(r => r.Model).HasColumnName("model");
        builder.Property(r => r.Status).HasColumnName("status");
        builder.Property(r => r.Batches).HasColumnName("batches");
        builder.Property(r => r.Requests).HasColumnName("requests");
        builder.Property(r => r.Completed).HasColumnName("completed");
        builder.Property(r => r.Failed).HasColumnName("failed");
        builder.Property(r => r.Unrun).HasColumnName("unrun");
        builder.Property(r => r.InputTokens).HasColumnName("input_tokens");
        builder.Property(r => r.CachedTokens).HasColumnName("cached_tokens");
        builder.Property(r => r.OutputTokens).HasColumnName("output_tokens");
        builder.Property(r => r.UnrunInputTokens).HasColumnName("unrun_input_tokens");
        // Grouping by a metadata key reads every value of it for the range.
        builder.HasIndex(r => new { r.MetaKey, r.Day }).HasDatabaseName("ix_insight_days_key_day");
    }
}

internal sealed class InsightDurationRecordConfiguration : IEntityTypeConfiguration<InsightDurationRecord>
{
    public void Configure(EntityTypeBuilder<InsightDurationRecord> builder)
    {
        builder.ToTable("insight_durations");
        builder.HasKey(r => new { r.MetaKey, r.MetaValue, r.Day, r.ConnectionId, r.Endpoint, r.Model, r.SizeBucket });
        builder.Property(r => r.MetaKey).HasColumnName("meta_key");
        builder.Property(r => r.MetaValue).HasColumnName("meta_value");
        builder.Property(r => r.Day).HasColumnName("day");
        builder.Property(r => r.ConnectionId).HasColumnName("connection_id");
        builder.Property(r => r.Endpoint).HasColumnName("endpoint");
        builder.Property(r => r.Model).HasColumnName("model");
        builder.Property(r => r.SizeBucket).HasColumnName("size_bucket");
        builder.Property(r => r.Batches).HasColumnName("batches");
        builder.Property(r => r.Turnaround).HasColumnName("turnaround");
        builder.Property(r => r.Validating).HasColumnName("validating");
        builder.Property(r => r.InProgress).HasColumnName("in_progress");
        builder.Property(r => r.Finalizing).HasColumnName("finalizing");
    }
}

internal sealed class InsightErrorRecordConfiguration : IEntityTypeConfiguration<InsightErrorRecord>
{
    public void Configure(EntityTypeBuilder<InsightErrorRecord> builder)
    {
        builder.ToTable("insight_errors");
        builder.HasKey(r => new { r.MetaKey, r.MetaValue, r.Day, r.ConnectionId, r.Endpoint, r.Model, r.Code });
        builder.Property(r => r.MetaKey).HasColumnName("meta_key");
        builder.Property(r => r.MetaValue).HasColumnName("meta_value");
        builder.Property(r => r.Day).HasColumnName("day");
        builder.Property(r => r.ConnectionId).HasColumnName("connection_id");
        builder.Property(r => r.Endpoint).HasColumnName("endpoint");
        builder.Property(r => r.Model).HasColumnName("model");
        builder.Property(r => r.Code).HasColumnName("code");
        builder.Property(r => r.Requests).HasColumnName("requests");
    }
}

internal sealed class InsightErrorBatchRecordConfiguration : IEntityTypeConfiguration<InsightErrorBatchRecord>
{
    public void Configure(EntityTypeBuilder<InsightErrorBatchRecord> builder)
    {
        builder.ToTable("insight_error_batches");
        builder.HasKey(r => new { r.BatchKey, r.Code });
        builder.Property(r => r.BatchKey).HasColumnName("batch_key");
        builder.Property(r => r.Code).HasColumnName("code");
        builder.Property(r => r.Requests).HasColumnName("requests");
        builder.HasOne<BatchRecord>().WithMany().HasForeignKey(r => r.BatchKey).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class InsightStateRecordConfiguration : IEntityTypeConfiguration<InsightStateRecord>
{
    public void Configure(EntityTypeBuilder<InsightStateRecord> builder)
    {
        builder.ToTable("insight_states");
        builder.HasKey(r => r.ConnectionId);
        builder.Property(r => r.ConnectionId).HasColumnName("connection_id");
        builder.Property(r => r.CountedAt).HasColumnName("counted_at");
    }
}
