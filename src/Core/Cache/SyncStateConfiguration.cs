using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BatchDashboard.Core.Cache;

internal sealed class SyncStateConfiguration : IEntityTypeConfiguration<SyncStateRecord>
{
    public void Configure(EntityTypeBuilder<SyncStateRecord> builder)
    {
        builder.ToTable("sync_states");
        builder.HasKey(s => s.ConnectionId);
        builder.Property(s => s.ConnectionId).HasColumnName("connection_id");
        builder.Property(s => s.LastSuccessAt).HasColumnName("last_success_at");
        builder.Property(s => s.LastAttemptAt).HasColumnName("last_attempt_at");
        builder.Property(s => s.LastError).HasColumnName("last_error");
        builder.Property(s => s.InitialImportComplete).HasColumnName("initial_import_complete");
        builder.Property(s => s.ImportCursor).HasColumnName("import_cursor");
        builder.Property(s => s.SearchIndexed).HasColumnName("search_indexed");
        builder.Property(s => s.HeadMarkId).HasColumnName("head_mark_id");
        builder.Property(s => s.HeadMarkCreatedAt).HasColumnName("head_mark_created_at");
    }
}
