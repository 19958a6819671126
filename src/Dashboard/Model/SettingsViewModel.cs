using BatchDashboard.Core.Notifications;
using BatchDashboard.Core.Capacity;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Hosting;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Dashboard.Model;

/// <summary>One connection as the settings page shows it: never its key, not whole and not in part.</summary>
public sealed record ConnectionSettingsRow(string Id, string Name, string Kind, string BaseUrl, string OrganizationAndProject, string Key, string Webhooks)
{
    public static ConnectionSettingsRow From(ApiConnection connection) => new(
        connection.Id,
        connection.Name,
        connection.IsDemo ? "Demo emulator" : connection.Kind.ToString(),
        connection.BaseUrl.ToString(),
        $"{connection.Organization ?? "—"} · {connection.Project ?? "—"}",
        connection.ApiKey.Length > 0 ? "set (kept on the server)" : "missing",
        connection.WebhookKey is null ? "off (no secret set)" : $"at webhooks/{connection.Id}");
}

/// <summary>
/// What the dashboard runs with, for an admin: its connections, access and sync settings, as read from configuration
/// (changed there, taking effect on restart). One per circuit (scoped), read by the settings page.
/// </summary>
public sealed class SettingsViewModel(
    IConnectionCatalog catalog, IOptionsMonitor<DashboardOptions> dashboard, IOptions<SyncOptions> sync, IOptions<CapacityOptions> capacity,
    INotificationLog notifications, NotificationSettings notificationSettings)
{
    /// <summary>The notification rules, configuration's first; null until loaded.</summary>
    public IReadOnlyList<NotificationRule>? Rules { get; private set; }

    /// <summary>Why the rules could not be read, for a person; null when they were.</summary>
    public string? RulesError { get; private set; }

    /// <summary>The channels: each shown by <see cref="NotificationChannel.Describe"/>, never with a secret (a Slack address by its host only).</summary>
    public IReadOnlyList<NotificationChannel> NotificationChannels => notifications.Channels;

    /// <summary>The connections a rule may be narrowed to.</summary>
    public IReadOnlyList<(string Id, string Name)> ConnectionChoices => [.. catalog.Connections.Select(c => (c.Id, c.Name))];

    public async Task LoadRulesAsync(CancellationToken cancellationToken)
    {
        try
        {
            Rules = await notifications.GetRulesAsync(cancellationToken);
            RulesError = null;
        }
        catch (System.Data.Common.DbException)
        {
            RulesError = "The rules set here could not be read: the cache cannot be reached. Reload the page to try again.";
        }
    }

    /// <summary>A rule's events in words.</summary>
    public static string WhenOf(RuleOptions rule) => string.Join(", ", rule.When.Select(w => w.Replace('_', ' ')));

    /// <summary>What narrows a rule, in words; "every batch" when nothing does.</summary>
    public static string NarrowedOf(RuleOptions rule) =>
        string.Join(", ", new[] { rule.Connection is null ? null : $"connection {rule.Connection}", rule.Endpoint, rule.Model, rule.Metadata }.Where(n => n is not null)) is { Length: > 0 } narrowed
            ? narrowed
            : "every batch";

    /// <summary>The base of the links in messages.</summary>
    public string LinksTo => notificationSettings.DashboardUrl?.ToString() ?? "not known yet (set BatchDashboard:Notifications:DashboardUrl)";

    public IReadOnlyList<ConnectionSettingsRow> Connections => [.. catalog.Connections.Select(ConnectionSettingsRow.From)];

    /// <summary>The access and sync settings, each a name and what it is set to.</summary>
    public IReadOnlyList<(string Name, string Value)> Settings
    {
        get
        {
            var options = dashboard.CurrentValue;
            return
            [
                ("Access mode", $"{options.Access.Mode}"),
                ("Read-only", options.ReadOnly ? "yes: no cancel, retry or create" : "no"),
                ("Users", options.Access.Users.Count == 0 ? "—" : string.Join(", ", options.Access.Users.Select(u => $"{u.Name} ({string.Join(", ", u.Roles)})"))),
                ("Framed by", options.Embedding.FrameAncestors.Count == 0 ? "no site (frame-ancestors 'none')" : string.Join(", ", options.Embedding.FrameAncestors)),
                ("Actions per person", $"{options.Access.ActionsPerMinute} a minute"),
                ("Poll while running", $"every {RelativeTime.Duration(sync.Value.ActivePollInterval)}"),
                ("Poll while running, webhooks arriving", $"every {RelativeTime.Duration(sync.Value.WebhookPollInterval)}"),
                ("Poll when idle", $"every {RelativeTime.Duration(sync.Value.IdlePollInterval)}"),
                ("Usage tier (OpenAI's published queue limits)", capacity.Value.Tier is { } tier ? $"tier {tier}"
                    : catalog.Connections.Any(c => c.IsDemo) ? $"not set (the demo's connection uses tier {CapacityOptions.DemoTier}, as its emulator does)" : "not set"),
                ("Queued-token limits set", capacity.Value.Limits.Count == 0 ? "none"
                    : string.Join(", ", capacity.Value.Limits.Select(l => $"{l.Model}{(l.Connection is null ? "" : $" on {l.Connection}")}: {CapacityText.Number(l.Tokens)}"))),
            ];
        }
    }
}
