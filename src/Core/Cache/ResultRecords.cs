using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BatchDashboard.Core.Cache;

/// <summary>One file of a batch (input, output or error) and how far its index has come.</summary>
internal sealed class ResultFileRecord
{
    public long Key { get; set; }
    public long BatchKey { get; set; }

    /// <summary><c>input</c>, <c>output</c> or <c>error</c>.</summary>
    public required string Kind { get; set; }

    public required string FileId { get; set; }

    /// <summary><c>waiting</c>, <c>indexing</c>, <c>indexed</c>, <c>expired_upstream</c> or <c>failed</c>.</summary>
    public required string State { get; set; }

    public long? BytesTotal { get; set; }
    public long BytesRead { get; set; }
    public int Lines { get; set; }
    public int MalformedLines { get; set; }

    /// <summary>The local copy, relative to the results folder, once it is complete.</summary>
    public string? LocalPath { get; set; }

    public string? Error { get; set; }

    /// <summary>The model the file's requests name (input files), for cost estimates.</summary>
    public string? Model { get; set; }

    public long? IndexedAt { get; set; }

    /// <summary>The API answered 404 for it once: gone upstream (the local copy, if any, stays).</summary>
    public bool ExpiredUpstream { get; set; }

    /// <summary>When the API said it deletes the file (unix seconds), as its metadata gave it at indexing.</summary>
    public long? UpstreamExpiresAt { get; set; }
}

/// <summary>One request of a batch, joined by custom_id across its input line and its output or error line.</summary>
internal sealed class ResultRequestRecord
{
    public long Key { get; set; }
    public long BatchKey { get; set; }
    public required string CustomId { get; set; }

    /// <summary>The input line number, or 1,000,000,000 plus the result line number for a result with no input line.</summary>
    public long Position { get; set; }

    public int? InputLine { get; set; }
    public long? InputOffset { get; set; }
    public int? InputLength { get; set; }

    /// <summary><c>output</c> or <c>error</c>.</summary>
    public string? ResultKind { get; set; }

    public int? ResultLine { get; set; }
    public long? ResultOffset { get; set; }
    public int? ResultLength { get; set; }

    /// <summary><see cref="Results.RequestOutcome"/> as its number.</summary>
    public int Outcome { get; set; }

    public int? StatusCode { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public long InputTokens { get; set; }
    public long CachedTokens { get; set; }
    public long OutputTokens { get; set; }
    public long ReasoningTokens { get; set; }
}

/// <summary>A line of a batch's file that could not be read.</summary>
internal sealed class ResultProblemRecord
{
    public long Key { get; set; }
    public long BatchKey { get; set; }
    public required string Kind { get; set; }
    public int Line { get; set; }
    public required string Message { get; set; }
}

internal sealed class ResultFileRecordConfiguration : IEntityTypeConfiguration<ResultFileRecord>
{
    public void Configure(EntityTypeBuilder<ResultFileRecord> builder)
    {
        builder.ToTable("result_files");
        builder.HasKey(f => f.Key);
        builder.Property(f => f.Key).HasColumnName("key").ValueGeneratedOnAdd();
        builder.Property(f => f.BatchKey).HasColumnName("batch_key");
        builder.Property(f => f.Kind).HasColumnName("kind");
        builder.Property(f => f.FileId).HasColumnName("file_id");
        builder.Property(f => f.State).HasColumnName("state");
        builder.Property(f => f.BytesTotal).HasColumnName("bytes_total");
        builder.Property(f => f.BytesRead).HasColumnName("bytes_read");
        builder.Property(f => f.Lines).HasColumnName("lines");
        builder.Property(f => f.MalformedLines).HasColumnName("malformed_lines");
        builder.Property(f => f.LocalPath).HasColumnName("local_path");
        builder.Property(f => f.Error).HasColumnName("error");
        builder.Property(f => f.Model).HasColumnName("model");
        builder.Property(f => f.IndexedAt).HasColumnName("indexed_at");
        builder.Property(f => f.ExpiredUpstream).HasColumnName("expired_upstream");
        builder.Property(f => f.UpstreamExpiresAt).HasColumnName("upstream_expires_at");
        builder.HasIndex(f => new { f.BatchKey, f.Kind }).IsUnique().HasDatabaseName("ux_result_files_batch_kind");
        builder.HasOne<BatchRecord>().WithMany().HasForeignKey(f => f.BatchKey).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ResultRequestRecordConfiguration : IEntityTypeConfiguration<ResultRequestRecord>
{
    public void Configure(EntityTypeBuilder<ResultRequestRecord> builder)
    {
        builder.ToTable("result_requests");
        builder.HasKey(r => r.Key);
        builder.Property(r => r.Key).HasColumnName("key").ValueGeneratedOnAdd();
        builder.Property(r => r.BatchKey).HasColumnName("batch_key");
        builder.Property(r => r.CustomId).HasColumnName("custom_id");
        builder.Property(r => r.Position).HasColumnName("position");
        builder.Property(r => r.InputLine).HasColumnName("input_line");
        builder.Property(r => r.InputOffset).HasColumnName("input_offset");
        builder.Property(r => r.InputLength).HasColumnName("input_length");
        builder.Property(r => r.ResultKind).HasColumnName("result_kind");
        builder.Property(r => r.ResultLine).HasColumnName("result_line");
        builder.Property(r => r.ResultOffset).HasColumnName("result_offset");
        builder.Property(r => r.ResultLength).HasColumnName("result_length");
        builder.Property(r => r.Outcome).HasColumnName("outcome");
        builder.Property(r => r.StatusCode).HasColumnName("status_code");
        builder.Property(r => r.ErrorCode).HasColumnName("error_code");
        builder.Property(r => r.ErrorMessage).HasColumnName("error_message");
        builder.Property(r => r.InputTokens).HasColumnName("input_tokens");
        builder.Property(r => r.CachedTokens).HasColumnName("cached_tokens");
        builder.Property(r => r.OutputTokens).HasColumnName("output_tokens");
        builder.Property(r => r.ReasoningTokens).HasColumnName("reasoning_tokens");
        // The join key, and finding one custom_id.
        builder.HasIndex(r => new { r.BatchKey, r.CustomId }).IsUnique().HasDatabaseName("ux_result_requests_batch_custom_id");
        // The table's order, whole or by outcome or error code, paged by position.
        builder.HasIndex(r => new { r.BatchKey, r.Position }).HasDatabaseName("ix_result_requests_position");
        builder.HasIndex(r => new { r.BatchKey, r.Outcome, r.Position }).HasDatabaseName("ix_result_requests_outcome");
        builder.HasIndex(r => new { r.BatchKey, r.ErrorCode, r.Position }).HasDatabaseName("ix_result_requests_error_code");
        builder.HasOne<BatchRecord>().WithMany().HasForeignKey(r => r.BatchKey).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ResultProblemRecordConfiguration : IEntityTypeConfiguration<ResultProblemRecord>
{
    public void Configure(EntityTypeBuilder<ResultProblemRecord> builder)
    {
        builder.ToTable("result_problems");
        builder.HasKey(p => p.Key);
        builder.Property(p => p.Key).HasColumnName("key").ValueGeneratedOnAdd();
        builder.Property(p => p.BatchKey).HasColumnName("batch_key");
        builder.Property(p => p.Kind).HasColumnName("kind");
        builder.Property(p => p.Line).HasColumnName("line");
        builder.Property(p => p.Message).HasColumnName("message");
        builder.HasIndex(p => new { p.BatchKey, p.Kind, p.Line }).HasDatabaseName("ix_result_problems_batch");
        builder.HasOne<BatchRecord>().WithMany().HasForeignKey(p => p.BatchKey).OnDelete(DeleteBehavior.Cascade);
    }
}
