using System.Data.Common;
using BatchDashboard.Core.Notifications;
using MudBlazor;

namespace BatchDashboard.Dashboard.Model;

/// <summary>One delivery as the log shows it: the event in words, its batch's link, and its state with a colour.</summary>
public sealed record NotificationRowViewModel(NotificationDelivery Delivery, string EventText, string BatchHref, string StateText, Color StateColour)
{
    /// <summary>A delivery still queued will go by itself; one sent or given up may be sent again.</summary>
    public bool CanSendAgain => Delivery.State != "pending";

    public static NotificationRowViewModel From(NotificationDelivery delivery, DateTimeOffset now) => new(
        delivery,
        delivery.Kind.Replace('_', ' '),
        DashboardUrls.Batch(delivery.BatchId, delivery.ConnectionId),
        delivery.State switch
        {
            "sent" => "sent",
            "failed" => delivery.Attempts == 1 ? "gave up after 1 try" : $"gave up after {delivery.Attempts} tries",
            _ when delivery.NextAttemptAt is { } next && next > now => $"next try in {RelativeTime.Duration(next - now)}",
            _ => "sending",
        },
        delivery.State switch { "sent" => Color.Success, "failed" => Color.Error, _ => Color.Warning });
}

/// <summary>
/// The delivery log's page (<c>/notifications</c>, admins): every message the rules sent or are sending, newest first,
/// with the rules and channels it runs with. One per circuit (scoped); the page follows the log as it changes.
/// </summary>
public sealed class NotificationLogViewModel(INotificationLog log, TimeProvider timeProvider, ILogger<NotificationLogViewModel> logger)
{
    public const int PageSize = 200;

    public IReadOnlyList<NotificationRowViewModel>? Rows { get; private set; }

    public string? Error { get; private set; }

    public DateTimeOffset Now { get; private set; }

    /// <summary>How many rules there are (configuration's and the settings page's).</summary>
    public int RuleCount { get; private set; }

    public IReadOnlyList<NotificationChannel> Channels => log.Channels;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = timeProvider.GetUtcNow();
        try
        {
            Rows = [.. (await log.ListAsync(PageSize, cancellationToken)).Select(d => NotificationRowViewModel.From(d, Now))];
            RuleCount = (await log.GetRulesAsync(cancellationToken)).Count;
            Error = null;
        }
        catch (DbException ex)
        {
            logger.LogWarning(ex, "The notification log could not be read");
            Error = "The delivery log could not be read: the cache cannot be reached. The page tries again when the log changes, or reload it.";
        }
    }

    /// <summary>Calls <paramref name="changed"/> when a delivery is queued or tried; dispose it with the page.</summary>
    public IDisposable Follow(Func<Task> changed) => log.Subscribe(changed);
}
