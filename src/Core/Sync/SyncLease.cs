using System.Data.Common;
using BatchDashboard.Core.Cache;
using Microsoft.EntityFrameworkCore;

namespace BatchDashboard.Core.Sync;

/// <summary>
/// The lease that makes exactly one of several instances sharing a database run the sync. One row in
/// <c>sync_leases</c>: taking it and renewing it are the same single statement, which succeeds only for its holder or
/// once it has expired, so two instances racing for it cannot both win. Expiry is judged by the database's clock,
/// so instances whose clocks disagree still agree on it. PostgreSQL only: a SQLite cache has one instance.
/// </summary>
internal sealed class SyncLease(IDbContextFactory<BatchCacheDbContext> contexts)
{
    public const string SyncName = "sync";

    /// <summary>This instance: host, process and a random part (a restarted process is a new holder).</summary>
    public string Holder { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Takes the lease when it is free or expired, or renews it when this instance holds it: true when it now holds it.</summary>
    public async Task<bool> TryHoldAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await context.Database.OpenConnectionAsync(cancellationToken);
        await using var command = context.Database.GetDbConnection().CreateCommand();
        const string Now = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS bigint)";
        command.CommandText = $"""
            INSERT INTO sync_leases (name, holder, acquired_at, expires_at) VALUES (@name, @holder, {Now}, {Now} + @duration)
            ON CONFLICT (name) DO UPDATE SET
                holder = excluded.holder,
                acquired_at = CASE WHEN sync_leases.holder = excluded.holder THEN sync_leases.acquired_at ELSE excluded.acquired_at END,
                expires_at = excluded.expires_at
            WHERE sync_leases.holder = excluded.holder OR sync_leases.expires_at < excluded.acquired_at
            RETURNING holder
            """;
        command.Add("@name", SyncName);
        command.Add("@holder", Holder);
        command.Add("@duration", (long)duration.TotalMilliseconds);

        return await command.ExecuteScalarAsync(cancellationToken) is string holder && holder == Holder;
    }

    /// <summary>Gives the lease up (on a clean stop), so another instance takes it at once instead of after its expiry.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await context.SyncLeases.Where(l => l.Name == SyncName && l.Holder == Holder).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Who holds it now (an expired lease still names its last holder).</summary>
    public async Task<SyncLeaseRecord?> ReadAsync(CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        return await context.SyncLeases.AsNoTracking().FirstOrDefaultAsync(l => l.Name == SyncName, cancellationToken);
    }

    /// <summary>Failures of the database while taking or renewing the lease: the caller stops or stays a follower.</summary>
    public static bool IsDatabaseFailure(Exception ex) => ex is DbException or InvalidOperationException or TimeoutException;
}
