using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BatchDashboard.Core.Cache;

/// <summary>One row of the audit log as stored; the audit log (<c>Audit.AuditLog</c>) reads and writes it.</summary>
internal sealed class AuditRecord
{
    public long Id { get; set; }

    /// <summary>Unix milliseconds.</summary>
    public long At { get; set; }

    public required string User { get; set; }

    public required string Action { get; set; }

    public string? ConnectionId { get; set; }

    public string? Target { get; set; }

    public required string Result { get; set; }

    public string? Detail { get; set; }
}

internal sealed class AuditRecordConfiguration : IEntityTypeConfiguration<AuditRecord>
{
    public void Configure(EntityTypeBuilder<AuditRecord> builder)
    {
        builder.ToTable("audit_log");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasColumnName("id").ValueGeneratedOnAdd();
        builder.Property(e => e.At).HasColumnName("at");
        builder.Property(e => e.User).HasColumnName("user");
        builder.Property(e => e.Action).HasColumnName("action");
        builder.Property(e => e.ConnectionId).HasColumnName("connection_id");
        builder.Property(e => e.Target).HasColumnName("target");
        builder.Property(e => e.Result).HasColumnName("result");
        builder.Property(e => e.Detail).HasColumnName("detail");
    }
}
