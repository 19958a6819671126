using BatchDashboard.Core.Notifications;
using System.Security.Claims;
using System.Threading.RateLimiting;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Audit;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Results;
using BatchDashboard.Core.Submissions;
using BatchDashboard.Core.Sync;
using BatchDashboard.Core.Telemetry;
using BatchDashboard.Dashboard.Hosting;
using BatchDashboard.Dashboard.Model;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Dashboard.Security;

/// <summary>What a person can do to batches through the dashboard, and the role each needs.</summary>
public enum DashboardAction
{
    Refresh,
    Cancel,
    Retry,
    Create,

    /// <summary>Sends a notification again, from the delivery log: an admin's.</summary>
    Resend,

    /// <summary>Adds, changes or removes a notification rule in the settings page: an admin's.</summary>
    Rules,
}

/// <summary>Thrown instead of doing an action the person may not do now; its message says why, for a snackbar.</summary>
public sealed class ActionRefusedException(string message, AuditResult reason) : Exception(message)
{
    public AuditResult Reason { get; } = reason;
}

/// <summary>
/// Every action goes through here, on the server: the role is checked (a hidden button proves nothing), a
/// read-only dashboard refuses, each person's actions are rate-limited, and the outcome is written to the audit log
/// (who, what, which batch, when, how it ended). Pages show or hide buttons with <see cref="CanAsync"/>.
/// </summary>
public sealed class DashboardActions(
    AuthenticationStateProvider authentication,
    IOptionsMonitor<DashboardOptions> options,
    ActionRateLimiter limiter,
    IAuditLog audit,
    IBatchOperations operations,
    IBatchSubmissions submissions,
    IBatchRetries retries,
    INotificationLog notifications,
    ILogger<DashboardActions> logger)
{
    public static DashboardRole RoleFor(DashboardAction action) => action switch
    {
        DashboardAction.Refresh => DashboardRole.Viewer,
        DashboardAction.Resend or DashboardAction.Rules => DashboardRole.Admin,
        _ => DashboardRole.Operator,
    };

    public async Task<bool> CanAsync(DashboardAction action) => await RefusalAsync(action) is null;

    /// <summary>Why this person may not take the action now (role or read-only), in words for the page; null when they may.</summary>
    public async Task<string?> RefusalAsync(DashboardAction action) => Refusal(action, await UserAsync());

    public Task<Batch?> RefreshAsync(string connectionId, string batchId, CancellationToken cancellationToken) =>
        RunAsync(DashboardAction.Refresh, connectionId, batchId, () => operations.RefreshAsync(connectionId, batchId, cancellationToken),
            batch => batch is null ? "the API no longer knows it" : $"the API answered: {StatusDisplay.Text(batch.Status)}", cancellationToken);

    public Task<Batch?> CancelAsync(string connectionId, string batchId, CancellationToken cancellationToken) =>
        RunAsync(DashboardAction.Cancel, connectionId, batchId, () => operations.CancelAsync(connectionId, batchId, cancellationToken),
            batch => batch is null ? "the API no longer knows it" : $"the API answered: {StatusDisplay.Text(batch.Status)}", cancellationToken);

    public Task<RetryResult> RetryAsync(string connectionId, string batchId, RetryChoice choice, CancellationToken cancellationToken) =>
        RunAsync(DashboardAction.Retry, connectionId, batchId, () => retries.RetryAsync(connectionId, batchId, choice, cancellationToken),
            retry => $"sent {Plural.Of(retry.Requests, "request")} again as {retry.Batch.Id} ({choice.Describe()})", cancellationToken);

    /// <summary>Queues a notification again (<see cref="INotificationLog.SendAgainAsync"/>); false when there is no such delivery.</summary>
    public Task<bool> ResendAsync(NotificationDelivery delivery, CancellationToken cancellationToken) =>
        RunAsync(DashboardAction.Resend, delivery.ConnectionId, delivery.BatchId, () => notifications.SendAgainAsync(delivery.Key, cancellationToken),
            queued => queued ? $"queued the {delivery.Kind} notification to {delivery.Channel} again" : "the delivery is no longer in the log", cancellationToken);

    /// <summary>Adds (no key) or changes a notification rule: what is wrong with it, or nothing when saved.</summary>
    public async Task<IReadOnlyList<string>> SaveRuleAsync(long? key, RuleOptions rule, CancellationToken cancellationToken)
    {
        var user = DashboardRoles.NameOf(await UserAsync());
        return await RunAsync(DashboardAction.Rules, null, rule.Name ?? "(unnamed rule)", () => notifications.SaveRuleAsync(key, rule, user, cancellationToken),
            problems => problems.Count == 0 ? $"{(key is null ? "added" : "changed")} the rule: when {string.Join(", ", rule.When)}, to {string.Join(", ", rule.Channels)}"
                : $"not saved: {string.Join(" ", problems)}", cancellationToken);
    }

    /// <summary>Removes a notification rule set in the settings page; false when there was none.</summary>
    public Task<bool> DeleteRuleAsync(NotificationRule rule, CancellationToken cancellationToken) =>
        RunAsync(DashboardAction.Rules, null, rule.Rule.Name ?? "(unnamed rule)", () => notifications.DeleteRuleAsync(rule.Key ?? 0, cancellationToken),
            removed => removed ? "removed the rule" : "the rule was already gone", cancellationToken);

    public Task<Batch> CreateAsync(string connectionId, Stream input, string fileName, BatchSubmission submission, IProgress<long>? uploaded, CancellationToken cancellationToken) =>
        RunAsync(DashboardAction.Create, connectionId, fileName, () => submissions.CreateAsync(connectionId, input, fileName, submission, uploaded, cancellationToken),
            batch => $"created {batch.Id} for {submission.Endpoint}", cancellationToken);

    private async Task<T> RunAsync<T>(DashboardAction action, string? connectionId, string target, Func<Task<T>> run, Func<T, string> describe, CancellationToken cancellationToken)
    {
        var user = await UserAsync();
        var name = DashboardRoles.NameOf(user);
        var verb = action.ToString().ToLowerInvariant();
        if (Refusal(action, user) is { } refusal)
        {
            await WriteAsync(name, verb, connectionId, target, AuditResult.Denied, refusal);
            throw new ActionRefusedException(refusal, AuditResult.Denied);
        }

        using var lease = limiter.Acquire(name);
        if (!lease.IsAcquired)
        {
            const string Busy = "Too many actions in the last minute; wait a moment and try again.";
            await WriteAsync(name, verb, connectionId, target, AuditResult.RateLimited, Busy);
            throw new ActionRefusedException(Busy, AuditResult.RateLimited);
        }

        // A span for the action, the batch (or file) it is on as an attribute; its API calls are HttpClient's children.
        using var activity = Telemetry.DashboardTelemetry.Source.StartActivity(verb);
        activity?.SetTag(CoreTelemetry.ConnectionAttribute, connectionId)
            .SetTag(target.StartsWith("batch_", StringComparison.Ordinal) ? CoreTelemetry.BatchIdAttribute : "batch_dashboard.file.name", target);
        try
        {
            var result = await run();
            await WriteAsync(name, verb, connectionId, target, AuditResult.Succeeded, describe(result));
            return result;
        }
        catch (Exception ex) when (ex is BatchApiException or ArgumentException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            var why = ex is BatchApiException api ? api.Summary : ex.Message;
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, why);
            await WriteAsync(name, verb, connectionId, target, AuditResult.Failed, why);
            throw;
        }
    }

    private string? Refusal(DashboardAction action, ClaimsPrincipal user)
    {
        var settings = options.CurrentValue;
        if (settings.ReadOnly && action is not (DashboardAction.Refresh or DashboardAction.Resend or DashboardAction.Rules))
        {
            return "This dashboard is read-only: it does not cancel, retry or create batches.";
        }

        var needed = RoleFor(action);
        return DashboardRoles.Of(user, settings.Access) >= needed
            ? null
            : action == DashboardAction.Resend ? "You need the admin role to send notifications again."
            : action == DashboardAction.Rules ? "You need the admin role to change notification rules."
            : $"You need the {needed.ToString().ToLowerInvariant()} role to {action.ToString().ToLowerInvariant()} batches.";
    }

    private async Task<ClaimsPrincipal> UserAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    /// <summary>The action's outcome stands even when its audit entry cannot be written; that is logged instead.</summary>
    private async Task WriteAsync(string user, string action, string? connectionId, string target, AuditResult result, string detail)
    {
        try
        {
            await audit.WriteAsync(user, action, connectionId, target, result, detail, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogError(ex, "Could not write the audit entry for {User} {Action} {Target}: {Result}", user, action, target, result);
        }
    }
}

/// <summary>Actions per person per minute (<c>BatchDashboard:Access:ActionsPerMinute</c>), with the framework's rate limiter.</summary>
public sealed class ActionRateLimiter(IOptionsMonitor<DashboardOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(user =>
        RateLimitPartition.GetFixedWindowLimiter(user, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, options.CurrentValue.Access.ActionsPerMinute),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    public RateLimitLease Acquire(string user) => _limiter.AttemptAcquire(user);

    public void Dispose() => _limiter.Dispose();
}
