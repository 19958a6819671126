using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BatchDashboard.Core.Cache;

/// <summary>
/// A verified webhook delivery, by its <c>webhook-id</c>: the provider retries a delivery it thinks failed, and with
/// several instances any of them may get it, so the first to write this row acts and the others only acknowledge.
/// </summary>
internal sealed class WebhookReceiptRecord
{
    public required string ConnectionId { get; set; }

    /// <summary>The delivery's <c>webhook-id</c>, the same on every retry of it.</summary>
    public required string WebhookId { get; set; }

    /// <summary><c>batch.completed</c> and the like; what else a provider sends is kept too, and not acted on.</summary>
    public string? EventType { get; set; }

    public string? BatchId { get; set; }

    /// <summary>Unix seconds.</summary>
    public long ReceivedAt { get; set; }
}

internal sealed class WebhookReceiptRecordConfiguration : IEntityTypeConfiguration<WebhookReceiptRecord>
{
    public void Configure(EntityTypeBuilder<WebhookReceiptRecord> builder)
    {
        builder.ToTable("webhook_receipts");
        builder.HasKey(r => new { r.ConnectionId, r.WebhookId });
        builder.Property(r => r.ConnectionId).HasColumnName("connection_id");
        builder.Property(r => r.WebhookId).HasColumnName("webhook_id");
        builder.Property(r => r.EventType).HasColumnName("event_type");
        builder.Property(r => r.BatchId).HasColumnName("batch_id");
        builder.Property(r => r.ReceivedAt).HasColumnName("received_at");
        builder.HasIndex(r => new { r.ConnectionId, r.ReceivedAt }).HasDatabaseName("ix_webhook_receipts_received");
    }
}

/// <summary>The cache's side of webhooks: which deliveries were seen, and when the last one came.</summary>
internal sealed class WebhookReceiptStore(IDbContextFactory<BatchCacheDbContext> contextFactory)
{
    /// <summary>
    /// Keeps a delivery's id; false when it was kept before (a retry, or another instance got it first): in one
    /// statement, so of several writers exactly one sees true.
    /// </summary>
    public async Task<bool> TryRecordAsync(WebhookReceiptRecord receipt, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var written = await context.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO webhook_receipts (connection_id, webhook_id, event_type, batch_id, received_at)
            VALUES ({receipt.ConnectionId}, {receipt.WebhookId}, {receipt.EventType}, {receipt.BatchId}, {receipt.ReceivedAt})
            ON CONFLICT (connection_id, webhook_id) DO NOTHING
            """, cancellationToken);
        return written == 1;
    }

    /// <summary>When the connection's newest verified delivery came (unix seconds); null when none has.</summary>
    public async Task<long?> LastReceivedAtAsync(string connectionId, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.WebhookReceipts.Where(r => r.ConnectionId == connectionId).MaxAsync(r => (long?)r.ReceivedAt, cancellationToken);
    }

    /// <summary>Forgets deliveries older than <paramref name="before"/>: no provider retries one that long.</summary>
    public async Task<int> PruneAsync(long before, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.WebhookReceipts.Where(r => r.ReceivedAt < before).ExecuteDeleteAsync(cancellationToken);
    }
}
