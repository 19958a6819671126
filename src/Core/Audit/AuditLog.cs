using BatchDashboard.Core.Cache;
using Microsoft.EntityFrameworkCore;

namespace BatchDashboard.Core.Audit;

/// <summary>How an action ended.</summary>
public enum AuditResult
{
    Succeeded,

    /// <summary>The API or the dashboard refused it, or it failed on the way.</summary>
    Failed,

    /// <summary>The person's role does not allow it, or the dashboard is read-only.</summary>
    Denied,

    /// <summary>Too many actions in a short time.</summary>
    RateLimited,
}

/// <summary>One action someone took: who, what, on which batch, when, and how it ended.</summary>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset At,
    string User,
    string Action,
    string? ConnectionId,
    string? Target,
    AuditResult Result,
    string? Detail);

/// <summary>The audit log of actions (cancel, retry, create, refresh, sign-in), stored in the cache database.</summary>
public interface IAuditLog
{
    Task WriteAsync(string user, string action, string? connectionId, string? target, AuditResult result, string? detail, CancellationToken cancellationToken);

    /// <summary>Newest first; <paramref name="before"/> is the last id of the previous page.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, long? before, CancellationToken cancellationToken);
}

internal sealed class AuditLog(IDbContextFactory<Cache.BatchCacheDbContext> contexts, TimeProvider time) : IAuditLog
{
    /// <summary>Details are clipped: an API's error message can be long, and the log is for people.</summary>
    public const int MaxDetailLength = 1000;

    public async Task WriteAsync(string user, string action, string? connectionId, string? target, AuditResult result, string? detail, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        context.AuditEntries.Add(new AuditRecord
        {
            At = time.GetUtcNow().ToUnixTimeMilliseconds(),
            User = user,
            Action = action,
            ConnectionId = connectionId,
            Target = target,
            Result = result.ToString(),
            Detail = detail is { Length: > MaxDetailLength } ? detail[..MaxDetailLength] + "…" : detail,
        });
        await context.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, long? before, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var query = context.AuditEntries.AsNoTracking();
        if (before is { } id)
        {
            query = query.Where(e => e.Id < id);
        }

        var records = await query.OrderByDescending(e => e.Id).Take(Math.Clamp(limit, 1, 500)).ToListAsync(cancellationToken);
        return [.. records.Select(r => new AuditEntry(
            r.Id, DateTimeOffset.FromUnixTimeMilliseconds(r.At), r.User, r.Action, r.ConnectionId, r.Target,
            Enum.TryParse<AuditResult>(r.Result, out var result) ? result : AuditResult.Failed, r.Detail))];
    }
}
