using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BatchDashboard.Core.Cache;

/// <summary>
/// The prompt tokens of one input file, counted once (files never change) and kept: a running batch's queued tokens
/// are these less the share its counts say is done. Keyed by the file, as two batches may share one.
/// </summary>
internal sealed class InputTokenRecord
{
    public required string ConnectionId { get; set; }
    public required string FileId { get; set; }

    /// <summary>The model the file's lines name.</summary>
    public string? Model { get; set; }

    /// <summary><c>o200k_base</c> or <c>cl100k_base</c>.</summary>
    public required string Encoding { get; set; }

    /// <summary>The model is not one whose tokenizer we know: counted with o200k, an estimate.</summary>
    public bool Estimated { get; set; }

    /// <summary>Null until counted (or when counting failed: see <see cref="Error"/>).</summary>
    public long? Tokens { get; set; }

    public int Requests { get; set; }

    public long? CountedAt { get; set; }

    /// <summary>Why the file could not be counted (gone upstream, the API failing), for a person to read.</summary>
    public string? Error { get; set; }

    /// <summary>When counting was last tried (unix seconds): a failed count is tried again after a while.</summary>
    public long AttemptedAt { get; set; }
}

/// <summary>
/// A queued-token limit a batch taught: one that failed with <c>token_limit_exceeded</c> names the limit in its
/// message. The newest lesson per connection and model is kept.
/// </summary>
internal sealed class LearnedLimitRecord
{
    public required string ConnectionId { get; set; }
    public required string Model { get; set; }
    public long Tokens { get; set; }

    /// <summary>The batch whose failure named it.</summary>
    public required string BatchId { get; set; }

    /// <summary>When that batch failed (unix seconds).</summary>
    public long LearnedAt { get; set; }
}

internal sealed class InputTokenRecordConfiguration : IEntityTypeConfiguration<InputTokenRecord>
{
    public void Configure(EntityTypeBuilder<InputTokenRecord> builder)
    {
        builder.ToTable("input_tokens");
        builder.HasKey(t => new { t.ConnectionId, t.FileId });
        builder.Property(t => t.ConnectionId).HasColumnName("connection_id");
        builder.Property(t => t.FileId).HasColumnName("file_id");
        builder.Property(t => t.Model).HasColumnName("model");
        builder.Property(t => t.Encoding).HasColumnName("encoding");
        builder.Property(t => t.Estimated).HasColumnName("estimated");
        builder.Property(t => t.Tokens).HasColumnName("tokens");
        builder.Property(t => t.Requests).HasColumnName("requests");
        builder.Property(t => t.CountedAt).HasColumnName("counted_at");
        builder.Property(t => t.Error).HasColumnName("error");
        builder.Property(t => t.AttemptedAt).HasColumnName("attempted_at");
    }
}

internal sealed class LearnedLimitRecordConfiguration : IEntityTypeConfiguration<LearnedLimitRecord>
{
    public void Configure(EntityTypeBuilder<LearnedLimitRecord> builder)
    {
        builder.ToTable("learned_limits");
        builder.HasKey(l => new { l.ConnectionId, l.Model });
        builder.Property(l => l.ConnectionId).HasColumnName("connection_id");
        builder.Property(l => l.Model).HasColumnName("model");
        builder.Property(l => l.Tokens).HasColumnName("tokens");
        builder.Property(l => l.BatchId).HasColumnName("batch_id");
        builder.Property(l => l.LearnedAt).HasColumnName("learned_at");
    }
}
