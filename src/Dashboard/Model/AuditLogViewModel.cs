using System.Data.Common;
using BatchDashboard.Core.Audit;
using MudBlazor;

namespace BatchDashboard.Dashboard.Model;

/// <summary>A piece of an audit entry's detail: text, or a batch id with the link to its page.</summary>
public sealed record AuditDetailPart(string Text, string? Href);

/// <summary>
/// One entry of the audit log as the page shows it: the action in words, its batch as a link when it names one, and
/// every batch id in its detail (the retry or batch it made) a link too.
/// </summary>
public sealed partial record AuditRowViewModel(AuditEntry Entry, string? BatchHref, string TargetText, string ResultText, Color ResultColour, string ResultClass)
{
    /// <summary>The action as a person says it.</summary>
    public string ActionText => Entry.Action switch
    {
        "refresh" => "Refresh",
        "cancel" => "Cancel",
        "retry" => "Retry",
        "create" => "New batch",
        "resend" => "Notification sent again",
        "rules" => "Notification rule",
        "sign-in" => "Sign-in",
        "sign-out" => "Sign-out",
        var other => other,
    };

    /// <summary>The detail, with each batch id in it linked to its page (on the entry's connection).</summary>
    public IReadOnlyList<AuditDetailPart> DetailParts
    {
        get
        {
            if (string.IsNullOrEmpty(Entry.Detail))
            {
                return [];
            }

            var parts = new List<AuditDetailPart>();
            var at = 0;
            foreach (var match in BatchIds().EnumerateMatches(Entry.Detail))
            {
                parts.Add(new(Entry.Detail[at..match.Index], null));
                var id = Entry.Detail.Substring(match.Index, match.Length);
                parts.Add(new(id, Entry.ConnectionId is { } connection ? DashboardUrls.Batch(id, connection) : null));
                at = match.Index + match.Length;
            }

            parts.Add(new(Entry.Detail[at..], null));
            return [.. parts.Where(p => p.Text.Length > 0)];
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("batch_[A-Za-z0-9]+")]
    private static partial System.Text.RegularExpressions.Regex BatchIds();

    public static AuditRowViewModel From(AuditEntry entry)
    {
        var batch = entry.Target is { } target && target.StartsWith("batch_", StringComparison.Ordinal) && entry.ConnectionId is { } connection
            ? DashboardUrls.Batch(target, connection)
            : null;
        return new AuditRowViewModel(
            entry,
            batch,
            batch is null ? entry.Target ?? "" : BatchRowViewModel.ShortIdOf(entry.Target!),
            entry.Result switch
            {
                AuditResult.Succeeded => "succeeded",
                AuditResult.Failed => "failed",
                AuditResult.Denied => "denied",
                AuditResult.RateLimited => "rate-limited",
                _ => entry.Result.ToString(),
            },
            entry.Result switch
            {
                AuditResult.Succeeded => Color.Success,
                AuditResult.Failed => Color.Error,
                _ => Color.Warning,
            },
            $"audit-result audit-result--{entry.Result.ToString().ToLowerInvariant()}");
    }
}

/// <summary>
/// The audit log page: a page of entries, newest first, from <see cref="IAuditLog"/>, and the link to the older ones.
/// One per circuit (scoped), read by the page.
/// </summary>
public sealed class AuditLogViewModel(IAuditLog audit, TimeProvider time)
{
    public const int PageSize = 100;

    /// <summary>The page's entries; null until read.</summary>
    public IReadOnlyList<AuditRowViewModel>? Rows { get; private set; }

    /// <summary>Why the log could not be read, for a person; null when it was.</summary>
    public string? Error { get; private set; }

    /// <summary>The moment relative times count from.</summary>
    public DateTimeOffset Now { get; private set; }

    /// <summary>The link to the entries before this page's, when there may be any.</summary>
    public string? OlderHref => Rows is { Count: PageSize } rows ? DashboardUrls.Audit(rows[^1].Entry.Id) : null;

    /// <summary>Reads the page of entries older than <paramref name="before"/> (an entry's id), or the newest.</summary>
    public async Task LoadAsync(long? before, CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        try
        {
            Rows = [.. (await audit.ListAsync(PageSize, before, cancellationToken)).Select(AuditRowViewModel.From)];
            Error = null;
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            Error = "The cache database did not answer. Try again in a moment.";
        }
    }
}
