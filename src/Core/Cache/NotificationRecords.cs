using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BatchDashboard.Core.Cache;

/// <summary>
/// Something that happened to a batch that a person may want to be told of: it ended (<c>completed</c>,
/// <c>failed</c>, <c>expired</c>, <c>cancelled</c>, written with the batch's new status in one transaction) or an alarm
/// came up while it ran (<c>long_phase</c>, <c>high_failure_rate</c>, <c>expiring_soon</c>). One row per batch and
/// kind, whoever writes it first: so each is told once, across restarts and instances.
/// </summary>
internal sealed class BatchEventRecord
{
    public long Key { get; set; }
    public required string ConnectionId { get; set; }
    public required string BatchId { get; set; }
    public required string Kind { get; set; }

    /// <summary>Unix seconds.</summary>
    public long OccurredAt { get; set; }

    /// <summary>True once the rules were matched against it and its deliveries queued.</summary>
    public bool Matched { get; set; }
}

/// <summary>One message for one event, by one rule, to one channel: queued, tried with backoff, and kept as a log.</summary>
internal sealed class NotificationDeliveryRecord
{
    public long Key { get; set; }
    public long EventKey { get; set; }
    public required string ConnectionId { get; set; }
    public required string BatchId { get; set; }
    public required string Kind { get; set; }
    public required string Rule { get; set; }
    public required string Channel { get; set; }

    /// <summary><c>pending</c>, <c>sent</c> or <c>failed</c> (every try used).</summary>
    public required string State { get; set; }

    public int Attempts { get; set; }

    /// <summary>Unix seconds; when the next try is due, while pending.</summary>
    public long? NextAttemptAt { get; set; }

    public long? LastAttemptAt { get; set; }

    /// <summary>What the other end answered, in words (<c>HTTP 200</c>, <c>250 OK</c>, or why it could not be reached).</summary>
    public string? Answer { get; set; }

    public long CreatedAt { get; set; }
}

/// <summary>A notification rule an admin set in the settings page (rules in configuration are read from there).</summary>
internal sealed class NotificationRuleRecord
{
    public long Key { get; set; }
    public required string Name { get; set; }

    /// <summary>The events, comma-separated.</summary>
    public required string When { get; set; }

    public string? Connection { get; set; }
    public string? Endpoint { get; set; }
    public string? Model { get; set; }
    public string? Metadata { get; set; }

    /// <summary>The channels' ids, comma-separated.</summary>
    public required string Channels { get; set; }

    public required string UpdatedBy { get; set; }
    public long UpdatedAt { get; set; }
}

internal sealed class NotificationRuleRecordConfiguration : IEntityTypeConfiguration<NotificationRuleRecord>
{
    public void Configure(EntityTypeBuilder<NotificationRuleRecord> builder)
    {
        builder.ToTable("notification_rules");
        builder.HasKey(r => r.Key);
        builder.Property(r => r.Key).HasColumnName("key").ValueGeneratedOnAdd();
        builder.Property(r => r.Name).HasColumnName("name");
        builder.Property(r => r.When).HasColumnName("events");
        builder.Property(r => r.Connection).HasColumnName("connection_id");
        builder.Property(r => r.Endpoint).HasColumnName("endpoint");
        builder.Property(r => r.Model).HasColumnName("model");
        builder.Property(r => r.Metadata).HasColumnName("metadata");
        builder.Property(r => r.Channels).HasColumnName("channels");
        builder.Property(r => r.UpdatedBy).HasColumnName("updated_by");
        builder.Property(r => r.UpdatedAt).HasColumnName("updated_at");
        builder.HasIndex(r => r.Name).IsUnique().HasDatabaseName("ux_notification_rules_name");
    }
}

internal sealed class BatchEventRecordConfiguration : IEntityTypeConfiguration<BatchEventRecord>
{
    public void Configure(EntityTypeBuilder<BatchEventRecord> builder)
    {
        builder.ToTable("batch_events");
        builder.HasKey(e => e.Key);
        builder.Property(e => e.Key).HasColumnName("key").ValueGeneratedOnAdd();
        builder.Property(e => e.ConnectionId).HasColumnName("connection_id");
        builder.Property(e => e.BatchId).HasColumnName("batch_id");
        builder.Property(e => e.Kind).HasColumnName("kind");
        builder.Property(e => e.OccurredAt).HasColumnName("occurred_at");
        builder.Property(e => e.Matched).HasColumnName("matched");
        builder.HasIndex(e => new { e.ConnectionId, e.BatchId, e.Kind }).IsUnique().HasDatabaseName("ux_batch_events");
        builder.HasIndex(e => new { e.Matched, e.Key }).HasDatabaseName("ix_batch_events_unmatched");
    }
}

internal sealed class NotificationDeliveryRecordConfiguration : IEntityTypeConfiguration<NotificationDeliveryRecord>
{
    public void Configure(EntityTypeBuilder<NotificationDeliveryRecord> builder)
    {
        builder.ToTable("notification_deliveries");
        builder.HasKey(d => d.Key);
        builder.Property(d => d.Key).HasColumnName("key").ValueGeneratedOnAdd();
        builder.Property(d => d.EventKey).HasColumnName("event_key");
        builder.Property(d => d.ConnectionId).HasColumnName("connection_id");
        builder.Property(d => d.BatchId).HasColumnName("batch_id");
        builder.Property(d => d.Kind).HasColumnName("kind");
        builder.Property(d => d.Rule).HasColumnName("rule");
        builder.Property(d => d.Channel).HasColumnName("channel");
        builder.Property(d => d.State).HasColumnName("state");
        builder.Property(d => d.Attempts).HasColumnName("attempts");
        builder.Property(d => d.NextAttemptAt).HasColumnName("next_attempt_at");
        builder.Property(d => d.LastAttemptAt).HasColumnName("last_attempt_at");
        builder.Property(d => d.Answer).HasColumnName("answer");
        builder.Property(d => d.CreatedAt).HasColumnName("created_at");
        builder.HasIndex(d => new { d.EventKey, d.Rule, d.Channel }).IsUnique().HasDatabaseName("ux_notification_deliveries");
        builder.HasIndex(d => new { d.State, d.NextAttemptAt }).HasDatabaseName("ix_notification_deliveries_due");
    }
}

/// <summary>The cache's side of notifications: the events, the deliveries they became, and the running batches to watch.</summary>
internal sealed class NotificationStore(IDbContextFactory<BatchCacheDbContext> contextFactory)
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    /// <summary>Keeps events not kept before (by batch and kind); returns how many were new.</summary>
    public async Task<int> RecordEventsAsync(IEnumerable<(string ConnectionId, string BatchId, string Kind, long OccurredAt)> events, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var written = 0;
        foreach (var (connectionId, batchId, kind, at) in events)
        {
            written += await context.Database.ExecuteSqlAsync($"""
                INSERT INTO batch_events (connection_id, batch_id, kind, occurred_at, matched) VALUES ({connectionId}, {batchId}, {kind}, {at}, {false})
                ON CONFLICT (connection_id, batch_id, kind) DO NOTHING
                """, cancellationToken);
        }

        return written;
    }

    public async Task<IReadOnlyList<BatchEventRecord>> GetUnmatchedEventsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.BatchEvents.AsNoTracking().Where(e => !e.Matched).OrderBy(e => e.Key).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>Queues an event's deliveries and marks it matched, in one transaction: a crash between the two cannot queue them twice.</summary>
    public async Task QueueAsync(long eventKey, IReadOnlyList<NotificationDeliveryRecord> deliveries, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        var matched = await context.BatchEvents.Where(e => e.Key == eventKey && !e.Matched)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Matched, true), cancellationToken);
        if (matched == 1)
        {
            context.NotificationDeliveries.AddRange(deliveries);
            await context.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<NotificationDeliveryRecord>> GetDueAsync(long now, int limit, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.NotificationDeliveries.AsNoTracking()
            .Where(d => d.State == Pending && d.NextAttemptAt <= now).OrderBy(d => d.NextAttemptAt).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>When the next pending delivery is due (unix seconds); null when none is pending.</summary>
    public async Task<long?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.NotificationDeliveries.Where(d => d.State == Pending).MinAsync(d => d.NextAttemptAt, cancellationToken);
    }

    public async Task SaveAttemptAsync(long key, string state, int attempts, long? nextAttemptAt, long at, string answer, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        await context.NotificationDeliveries.Where(d => d.Key == key).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.State, state).SetProperty(d => d.Attempts, attempts).SetProperty(d => d.NextAttemptAt, nextAttemptAt)
            .SetProperty(d => d.LastAttemptAt, at).SetProperty(d => d.Answer, answer), cancellationToken);
    }

    /// <summary>Queues a delivery again, now, with its tries counted afresh; false when there is no such delivery.</summary>
    public async Task<bool> SendAgainAsync(long key, long now, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.NotificationDeliveries.Where(d => d.Key == key).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.State, Pending).SetProperty(d => d.Attempts, 0).SetProperty(d => d.NextAttemptAt, now), cancellationToken) == 1;
    }

    /// <summary>The newest deliveries first, for the delivery log.</summary>
    public async Task<IReadOnlyList<NotificationDeliveryRecord>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.NotificationDeliveries.AsNoTracking().OrderByDescending(d => d.Key).Take(limit).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<NotificationRuleRecord>> GetRulesAsync(CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.NotificationRules.AsNoTracking().OrderBy(r => r.Key).ToListAsync(cancellationToken);
    }

    /// <summary>Adds a rule (no key) or replaces one; false when there is no rule with that key any more.</summary>
    public async Task<bool> SaveRuleAsync(NotificationRuleRecord rule, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        if (rule.Key == 0)
        {
            context.NotificationRules.Add(rule);
        }
        else if (await context.NotificationRules.FindAsync([rule.Key], cancellationToken) is { } existing)
        {
            context.Entry(existing).CurrentValues.SetValues(rule);
        }
        else
        {
            return false;
        }

        await context.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<bool> DeleteRuleAsync(long key, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.NotificationRules.Where(r => r.Key == key).ExecuteDeleteAsync(cancellationToken) == 1;
    }

    /// <summary>Forgets events matched before <paramref name="before"/>: they were told, and the deliveries keep the log.</summary>
    public async Task<int> PruneEventsAsync(long before, CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await context.BatchEvents.Where(e => e.Matched && e.OccurredAt < before).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Every running batch's document, through the running batches' partial index.</summary>
    public async Task<IReadOnlyList<(string ConnectionId, string RawJson)>> GetRunningAsync(CancellationToken cancellationToken)
    {
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var dialect = CacheDialect.Of(context);
        await context.Database.OpenConnectionAsync(cancellationToken);
        await using var command = context.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"""
            SELECT b.connection_id, d.raw_json FROM batches b{dialect.IndexedBy("ix_batches_active")}
            JOIN batch_documents d ON d.batch_key = b.key
            WHERE b.is_terminal = {dialect.False}
            """;
        var rows = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        return rows;
    }
}
