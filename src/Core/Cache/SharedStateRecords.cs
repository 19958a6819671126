using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BatchDashboard.Core.Cache;

/// <summary>
/// Who runs the sync, when instances share one database: the holder keeps the lease by renewing it before it
/// expires; another instance takes it only once it has expired.
/// </summary>
internal sealed class SyncLeaseRecord
{
    public required string Name { get; set; }

    /// <summary>The instance holding it: host, process and a random part, so a restarted process is a new holder.</summary>
    public required string Holder { get; set; }

    /// <summary>Unix milliseconds when the holder took it.</summary>
    public long AcquiredAt { get; set; }

    /// <summary>Unix milliseconds after which another instance may take it.</summary>
    public long ExpiresAt { get; set; }
}

/// <summary>An ASP.NET Core data-protection key, kept in the database so that every instance can read what another protected.</summary>
internal sealed class DataProtectionKeyRecord
{
    public long Id { get; set; }

    public required string FriendlyName { get; set; }

    public required string Xml { get; set; }
}

internal sealed class SyncLeaseRecordConfiguration : IEntityTypeConfiguration<SyncLeaseRecord>
{
    public void Configure(EntityTypeBuilder<SyncLeaseRecord> builder)
    {
        builder.ToTable("sync_leases");
        builder.HasKey(l => l.Name);
        builder.Property(l => l.Name).HasColumnName("name");
        builder.Property(l => l.Holder).HasColumnName("holder");
        builder.Property(l => l.AcquiredAt).HasColumnName("acquired_at");
        builder.Property(l => l.ExpiresAt).HasColumnName("expires_at");
    }
}

internal sealed class DataProtectionKeyRecordConfiguration : IEntityTypeConfiguration<DataProtectionKeyRecord>
{
    public void Configure(EntityTypeBuilder<DataProtectionKeyRecord> builder)
    {
        builder.ToTable("data_protection_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasColumnName("id").ValueGeneratedOnAdd();
        builder.Property(k => k.FriendlyName).HasColumnName("friendly_name");
        builder.Property(k => k.Xml).HasColumnName("xml");
    }
}
