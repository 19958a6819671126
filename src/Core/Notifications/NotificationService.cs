using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Events;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Sync;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Notifications;

/// <summary>One message of the delivery log: when, what, where, and what the other end answered.</summary>
public sealed record NotificationDelivery(
    long Key, string ConnectionId, string BatchId, string Kind, string Rule, string Channel, string Where, string State, int Attempts,
    DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, string? Answer);

/// <summary>A rule as the settings page shows it: from configuration (read-only there), or set in the page (with a key).</summary>
public sealed record NotificationRule(long? Key, RuleOptions Rule, string? UpdatedBy, DateTimeOffset? UpdatedAt)
{
    public bool FromConfiguration => Key is null;
}

/// <summary>The delivery log and the rules, for their pages.</summary>
public interface INotificationLog
{
    IReadOnlyList<NotificationChannel> Channels { get; }

    /// <summary>The rules from configuration, then those set in the settings page.</summary>
    Task<IReadOnlyList<NotificationRule>> GetRulesAsync(CancellationToken cancellationToken);

    /// <summary>Adds a rule (no key) or changes one set in the page; returns what is wrong with it, or nothing when saved.</summary>
    Task<IReadOnlyList<string>> SaveRuleAsync(long? key, RuleOptions rule, string user, CancellationToken cancellationToken);

    /// <summary>Removes a rule set in the page; false when there is no such rule.</summary>
    Task<bool> DeleteRuleAsync(long key, CancellationToken cancellationToken);

    /// <summary>The newest deliveries first.</summary>
    Task<IReadOnlyList<NotificationDelivery>> ListAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Queues a delivery again, now; false when there is no such delivery.</summary>
    Task<bool> SendAgainAsync(long key, CancellationToken cancellationToken);

    /// <summary>Told when a delivery was queued or tried, so the log's page follows it.</summary>
    IDisposable Subscribe(Func<Task> handler);
}

/// <summary>
/// Tells people of what happens to batches, by the rules in <c>BatchDashboard:Notifications</c> and those an admin set
/// in the settings page (read again every round, so a change applies at once on every instance). Events come from the
/// cache: a batch's end is written with its new status (<see cref="NotificationStore"/>), and the running batches'
/// alarms (a phase longer than usual, a high failure rate, expiring soon: the flags the pages show) are looked for
/// every half minute. Each event is matched against the rules once, its deliveries queued in the same transaction,
/// and each delivery tried until it goes: after 10 s, 1 min, 5 min, 30 min and 2 h, then marked failed. Only the
/// instance that syncs does this work, so with several instances each event is told once; the sync never waits for
/// it. A delivery that went but whose record could not be written may go again: at least once, not at most.
/// </summary>
internal sealed partial class NotificationService(
    NotificationStore store,
    NotificationSettings settings,
    NotificationSender sender,
    IBatchQueries queries,
    IConnectionCatalog catalog,
    ISyncRole role,
    IBatchChangeNotifications changes,
    IOptions<BatchInsightOptions> insightOptions,
    TimeProvider timeProvider,
    ILogger<NotificationService> logger) : BackgroundService, INotificationLog
{
    public static readonly TimeSpan ScanInterval = TimeSpan.FromSeconds(30);

    /// <summary>Events matched longer ago than this are forgotten; their deliveries stay in the log.</summary>
    public static readonly TimeSpan KeepEvents = TimeSpan.FromDays(30);

    public static readonly TimeSpan[] Retries =
        [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2)];

    private readonly Notifier<bool> _logChanged = new(logger);
    private readonly System.Threading.Channels.Channel<bool> _wake =
        System.Threading.Channels.Channel.CreateBounded<bool>(new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });
    private DateTimeOffset _scanned = DateTimeOffset.MinValue;

    public IReadOnlyList<NotificationChannel> Channels => settings.Channels;

    public async Task<IReadOnlyList<NotificationRule>> GetRulesAsync(CancellationToken cancellationToken) =>
        [.. settings.Rules.Select(r => new NotificationRule(null, r, null, null)),
         .. (await store.GetRulesAsync(cancellationToken)).Select(r => new NotificationRule(r.Key, new RuleOptions
         {
             Name = r.Name, When = [.. r.When.Split(',', StringSplitOptions.RemoveEmptyEntries)], Connection = r.Connection, Endpoint = r.Endpoint,
             Model = r.Model, Metadata = r.Metadata, Channels = [.. r.Channels.Split(',', StringSplitOptions.RemoveEmptyEntries)],
         }, r.UpdatedBy, DateTimeOffset.FromUnixTimeSeconds(r.UpdatedAt)))];

    public async Task<IReadOnlyList<string>> SaveRuleAsync(long? key, RuleOptions rule, string user, CancellationToken cancellationToken)
    {
        static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        rule = new RuleOptions
        {
            Name = Blank(rule.Name), When = [.. rule.When.Distinct()], Connection = Blank(rule.Connection), Endpoint = Blank(rule.Endpoint),
            Model = Blank(rule.Model), Metadata = Blank(rule.Metadata), Channels = [.. rule.Channels.Distinct()],
        };
        var problems = NotificationSettings.RuleProblems(rule, "", [.. settings.Channels.Select(c => c.Id)]);
        if ((await GetRulesAsync(cancellationToken)).Any(r => !(key is not null && r.Key == key) && string.Equals(r.Rule.Name, rule.Name, StringComparison.OrdinalIgnoreCase)))
        {
            problems.Add($"Name '{rule.Name}' is used by another rule.");
        }

        if (problems.Count > 0)
        {
            return problems;
        }

        var saved = await store.SaveRuleAsync(new NotificationRuleRecord
        {
            Key = key ?? 0, Name = rule.Name!, When = string.Join(',', rule.When), Connection = rule.Connection, Endpoint = rule.Endpoint,
            Model = rule.Model, Metadata = rule.Metadata, Channels = string.Join(',', rule.Channels), UpdatedBy = user,
            UpdatedAt = timeProvider.GetUtcNow().ToUnixTimeSeconds(),
        }, cancellationToken);
        return saved ? [] : ["That rule was removed meanwhile."];
    }

    public Task<bool> DeleteRuleAsync(long key, CancellationToken cancellationToken) => store.DeleteRuleAsync(key, cancellationToken);

    public async Task<IReadOnlyList<NotificationDelivery>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        static DateTimeOffset? At(long? seconds) => seconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;
        return [.. (await store.ListAsync(limit, cancellationToken)).Select(d => new NotificationDelivery(
            d.Key, d.ConnectionId, d.BatchId, d.Kind, d.Rule, d.Channel,
            settings.Channels.FirstOrDefault(c => c.Id == d.Channel)?.Describe() ?? "(no longer configured)",
            d.State, d.Attempts, DateTimeOffset.FromUnixTimeSeconds(d.CreatedAt), At(d.LastAttemptAt), d.State == NotificationStore.Pending ? At(d.NextAttemptAt) : null, d.Answer))];
    }

    public async Task<bool> SendAgainAsync(long key, CancellationToken cancellationToken)
    {
        var queued = await store.SendAgainAsync(key, timeProvider.GetUtcNow().ToUnixTimeSeconds(), cancellationToken);
        if (queued)
        {
            Wake();
            _logChanged.Publish(true);
        }

        return queued;
    }

    public IDisposable Subscribe(Func<Task> handler) => _logChanged.Subscribe(_ => handler());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A batch just written may have ended: look at once rather than at the next round.
        using var subscription = changes.Subscribe(change =>
        {
            if (change.ChangedBatchIds.Count > 0)
            {
                Wake();
            }

            return Task.CompletedTask;
        });
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = ScanInterval;
            if (role.IsSyncing)
            {
                try
                {
                    wait = await RunOnceAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // A failing round (the cache unreachable) must not end notifications: the next one tries again.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogRoundFailed(logger, ex);
                }
            }

            // Until the wait is over or something happened (a batch written, a delivery queued again).
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(wait, timeProvider, waiting.Token);
            await Task.WhenAny(delay, _wake.Reader.WaitToReadAsync(waiting.Token).AsTask());
            await waiting.CancelAsync();
            _wake.Reader.TryRead(out _);
        }
    }

    /// <summary>One round: alarms looked for (every half minute), new events matched, due deliveries tried. Returns how long to wait.</summary>
    internal async Task<TimeSpan> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var rules = (await GetRulesAsync(cancellationToken)).Select(r => r.Rule).ToList();
        if (now - _scanned >= ScanInterval)
        {
            _scanned = now;
            if (rules.Exists(r => r.When.Exists(NotificationEvents.Alarms.Contains)))
            {
                await ScanRunningAsync(now, cancellationToken);
            }

            await store.PruneEventsAsync((now - KeepEvents).ToUnixTimeSeconds(), cancellationToken);
        }

        // Events no rule wants are matched too (to nothing): a rule added later tells of what happens from then on.
        await MatchAsync(rules, now, cancellationToken);
        await SendDueAsync(cancellationToken);
        var next = await store.NextDueAsync(cancellationToken);
        var untilDue = next is { } due ? DateTimeOffset.FromUnixTimeSeconds(due) - timeProvider.GetUtcNow() : ScanInterval;
        return untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue < ScanInterval ? untilDue : ScanInterval;
    }

    private async Task ScanRunningAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var events = new List<(string, string, string, long)>();
        foreach (var (connectionId, rawJson) in await store.GetRunningAsync(cancellationToken))
        {
            if (BatchReader.Read(rawJson).Batch is { } batch)
            {
                events.AddRange(NotificationEvents.Of(BatchInsights.Of(batch, now, insightOptions.Value).Flags)
                    .Select(kind => (connectionId, batch.Id, kind, now.ToUnixTimeSeconds())));
            }
        }

        if (events.Count > 0)
        {
            await store.RecordEventsAsync(events, cancellationToken);
        }
    }

    private async Task MatchAsync(IReadOnlyList<RuleOptions> rules, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var queued = 0;
        foreach (var @event in await store.GetUnmatchedEventsAsync(200, cancellationToken))
        {
            // The batch is read only when some rule wants this kind of event.
            var cached = rules.Any(r => r.When.Contains(@event.Kind)) ? await queries.GetAsync(@event.BatchId, @event.ConnectionId, cancellationToken) : null;
            var deliveries = cached is null ? [] : rules
                .Where(rule => Matches(rule, @event.Kind, @event.ConnectionId, cached.Batch))
                .SelectMany(rule => rule.Channels.Distinct().Select(channel => new NotificationDeliveryRecord
                {
                    EventKey = @event.Key, ConnectionId = @event.ConnectionId, BatchId = @event.BatchId, Kind = @event.Kind, Rule = rule.Name!,
                    Channel = channel, State = NotificationStore.Pending, NextAttemptAt = now.ToUnixTimeSeconds(), CreatedAt = now.ToUnixTimeSeconds(),
                }))
                .ToList();
            await store.QueueAsync(@event.Key, deliveries, cancellationToken);
            queued += deliveries.Count;
        }

        if (queued > 0)
        {
            _logChanged.Publish(true);
        }
    }

    /// <summary>Whether a rule wants an event: its kind, and the batch's connection, endpoint, model and metadata.</summary>
    internal static bool Matches(RuleOptions rule, string kind, string connectionId, Batch batch)
    {
        if (!rule.When.Contains(kind)
            || (rule.Connection is { } connection && !string.Equals(connection, connectionId, StringComparison.OrdinalIgnoreCase))
            || (rule.Endpoint is { } endpoint && !string.Equals(endpoint, batch.Endpoint, StringComparison.Ordinal))
            || (rule.Model is { } model && (batch.Model is null || !Tokens.ModelNames.Covers(model, batch.Model))))
        {
            return false;
        }

        if (rule.Metadata is { } pair)
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            return batch.Metadata.TryGetValue(pair[..at].Trim(), out var value) && value == pair[(at + 1)..].Trim();
        }

        return true;
    }

    private async Task SendDueAsync(CancellationToken cancellationToken)
    {
        var due = await store.GetDueAsync(timeProvider.GetUtcNow().ToUnixTimeSeconds(), 50, cancellationToken);
        foreach (var delivery in due)
        {
            var attempts = delivery.Attempts + 1;
            var at = timeProvider.GetUtcNow();
            SendResult result;
            if (settings.Channels.FirstOrDefault(c => c.Id == delivery.Channel) is not { } channel)
            {
                result = new SendResult(false, $"the channel '{delivery.Channel}' is no longer configured");
                attempts = Retries.Length + 1;
            }
            else if (await queries.GetAsync(delivery.BatchId, delivery.ConnectionId, cancellationToken) is not { } cached)
            {
                result = new SendResult(false, "the batch is no longer in the cache");
                attempts = Retries.Length + 1;
            }
            else
            {
                var message = new NotificationMessage($"ntf_{delivery.Key}", delivery.Kind, delivery.Rule, delivery.ConnectionId,
                    NotificationMessage.NameOf(catalog, delivery.ConnectionId), cached.Batch, DateTimeOffset.FromUnixTimeSeconds(delivery.CreatedAt),
                    NotificationMessage.LinkOf(settings.DashboardUrl, delivery.ConnectionId, delivery.BatchId));
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(45));
                result = await sender.SendAsync(channel, message, timeout.Token);
            }

            var state = result.Sent ? NotificationStore.Sent : attempts > Retries.Length ? NotificationStore.Failed : NotificationStore.Pending;
            long? next = state == NotificationStore.Pending ? (at + Retries[attempts - 1]).ToUnixTimeSeconds() : null;
            await store.SaveAttemptAsync(delivery.Key, state, attempts, next, at.ToUnixTimeSeconds(), result.Answer, cancellationToken);
            if (result.Sent)
            {
                LogSent(logger, delivery.Kind, delivery.BatchId, delivery.Channel, result.Answer);
            }
            else
            {
                LogNotSent(logger, delivery.Kind, delivery.BatchId, delivery.Channel, result.Answer, state == NotificationStore.Failed ? "gave up" : "will try again");
            }
        }

        if (due.Count > 0)
        {
            _logChanged.Publish(true);
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification of {Kind} for batch {BatchId} sent to {Channel}: {Answer}")]
    private static partial void LogSent(ILogger logger, string kind, string batchId, string channel, string answer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification of {Kind} for batch {BatchId} to {Channel} did not go ({Answer}); {Next}")]
    private static partial void LogNotSent(ILogger logger, string kind, string batchId, string channel, string answer, string next);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A round of notifications failed; the next round tries again")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
