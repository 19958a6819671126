using System.Text.Json;
using System.Threading.Channels;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Sync;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BatchDashboard.Core.Webhooks;

/// <summary>What became of a delivery, which the endpoint turns into its answer.</summary>
public enum WebhookOutcome
{
    /// <summary>No such connection, or none with a webhook secret: 404.</summary>
    NotReceiving,

    /// <summary>Its signature or timestamp failed the check (<see cref="WebhookReceipt.Verdict"/>): 400.</summary>
    Refused,

    /// <summary>A delivery seen before (a retry, or another instance's): acknowledged, not acted on again.</summary>
    Duplicate,

    /// <summary>Verified and new: acknowledged; a batch event's batch is fetched next.</summary>
    Accepted,

    /// <summary>Verified, but the cache could not be reached to keep its id: 503, and the provider sends it again later.</summary>
    Unavailable,
}

public sealed record WebhookReceipt(WebhookOutcome Outcome, WebhookVerdict Verdict = WebhookVerdict.Valid, string? EventType = null, string? BatchId = null);

/// <summary>Receives the provider's webhooks (<c>POST {dashboard}/webhooks/{connection}</c>).</summary>
public interface IWebhookInbox
{
    /// <summary>Checks a delivery, keeps its id, and queues its batch's fetch; returns at once, before the fetch.</summary>
    Task<WebhookReceipt> ReceiveAsync(string connectionId, string? id, string? timestamp, string? signature, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);
}

/// <summary>
/// The provider's batch events, as OpenAI sends them (<c>{"id":"evt_…","type":"batch.completed","data":{"id":"batch_…"}}</c>,
/// Standard Webhooks signed): checked with the connection's secret, kept by <c>webhook-id</c> so a delivery acts once
/// (across retries, restarts and instances), and the batch fetched and stored right after the answer, which the
/// open pages show as any change. Other event types are logged and acknowledged.
/// </summary>
internal sealed partial class WebhookInbox(
    IConnectionCatalog catalog,
    WebhookReceiptStore receipts,
    WebhookRefresher refresher,
    TimeProvider timeProvider,
    ILogger<WebhookInbox> logger) : IWebhookInbox
{
    public static readonly string[] BatchEvents = ["batch.completed", "batch.failed", "batch.expired", "batch.cancelled"];

    public async Task<WebhookReceipt> ReceiveAsync(
        string connectionId, string? id, string? timestamp, string? signature, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (catalog.Find(connectionId) is not { } connection)
        {
            LogUnknownConnection(logger, connectionId);
            return new WebhookReceipt(WebhookOutcome.NotReceiving);
        }

        if (connection.WebhookKey is not { } key)
        {
            LogNoSecret(logger, connection.Id);
            return new WebhookReceipt(WebhookOutcome.NotReceiving);
        }

        var verdict = WebhookSignature.Verify(key, id, timestamp, signature, body.Span, timeProvider.GetUtcNow());
        if (verdict != WebhookVerdict.Valid)
        {
            LogRefused(logger, connection.Id, verdict);
            return new WebhookReceipt(WebhookOutcome.Refused, verdict);
        }

        var (type, batchId) = Read(body.Span);
        var isBatchEvent = type is not null && BatchEvents.Contains(type) && batchId is not null;
        bool first;
        try
        {
            first = await receipts.TryRecordAsync(new WebhookReceiptRecord
            {
                ConnectionId = connection.Id,
                WebhookId = id!,
                EventType = type,
                BatchId = batchId,
                ReceivedAt = timeProvider.GetUtcNow().ToUnixTimeSeconds(),
            }, cancellationToken);
        }
        catch (System.Data.Common.DbException ex)
        {
            LogUnavailable(logger, ex, connection.Id);
            return new WebhookReceipt(WebhookOutcome.Unavailable, EventType: type, BatchId: batchId);
        }
        if (!first)
        {
            LogDuplicate(logger, connection.Id, id!);
            return new WebhookReceipt(WebhookOutcome.Duplicate, EventType: type, BatchId: batchId);
        }

        if (isBatchEvent)
        {
            LogBatchEvent(logger, connection.Id, type!, batchId!);
            refresher.Enqueue(connection.Id, batchId!);
        }
        else
        {
            LogOtherEvent(logger, connection.Id, type ?? "(none)");
        }

        return new WebhookReceipt(WebhookOutcome.Accepted, EventType: type, BatchId: batchId);
    }

    /// <summary>The event's type and <c>data.id</c>; nulls for a body that is not such an object.</summary>
    private static (string? Type, string? BatchId) Read(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var batchId = root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("id", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            return (type, batchId);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A webhook for connection {Connection} was refused: no such connection is configured")]
    private static partial void LogUnknownConnection(ILogger logger, string connection);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A webhook for connection {Connection} was refused: it has no webhook secret (OPENAI_WEBHOOK_SECRET for the default connection, WebhookSecretName for others)")]
    private static partial void LogNoSecret(ILogger logger, string connection);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A webhook for connection {Connection} was refused: {Verdict} (a forgery, a replay, or the wrong secret configured)")]
    private static partial void LogRefused(ILogger logger, string connection, WebhookVerdict verdict);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {Connection}: a webhook could not be kept, as the cache cannot be reached; answered 503 so the provider sends it again")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string connection);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {Connection}: webhook {WebhookId} was received before; acknowledged again")]
    private static partial void LogDuplicate(ILogger logger, string connection, string webhookId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {Connection}: webhook {EventType} for batch {BatchId}; fetching it")]
    private static partial void LogBatchEvent(ILogger logger, string connection, string eventType, string batchId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {Connection}: webhook of type {EventType} acknowledged; the dashboard does not act on it")]
    private static partial void LogOtherEvent(ILogger logger, string connection, string eventType);
}

/// <summary>
/// Fetches the batches webhooks name, one at a time, after their deliveries were answered; a fetch that fails is
/// tried again after 1, 5 and 30 seconds, and then left to the next poll. Also forgets old receipts now and then.
/// </summary>
internal sealed partial class WebhookRefresher(
    IBatchOperations operations,
    WebhookReceiptStore receipts,
    TimeProvider timeProvider,
    ILogger<WebhookRefresher> logger) : BackgroundService
{
    /// <summary>Receipts are kept this long: providers retry a delivery for up to about three days.</summary>
    public static readonly TimeSpan KeepReceipts = TimeSpan.FromDays(7);

    private static readonly TimeSpan[] Retries = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)];

    private readonly Channel<(string ConnectionId, string BatchId, int Attempt)> _queue =
        Channel.CreateUnbounded<(string, string, int)>(new UnboundedChannelOptions { SingleReader = true });

    private DateTimeOffset _pruned = DateTimeOffset.MinValue;

    public void Enqueue(string connectionId, string batchId) => _queue.Writer.TryWrite((connectionId, batchId, 0));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (connectionId, batchId, attempt) in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await RefreshAsync(connectionId, batchId, attempt, stoppingToken);
                await PruneAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is queued is the next poll's.
        }
    }

    private async Task RefreshAsync(string connectionId, string batchId, int attempt, CancellationToken stoppingToken)
    {
        try
        {
            if (await operations.RefreshAsync(connectionId, batchId, stoppingToken) is null)
            {
                LogUnknownBatch(logger, connectionId, batchId);
            }
        }
        catch (Exception ex) when (ex is BatchApiException or System.Data.Common.DbException or InvalidOperationException)
        {
            var summary = ex is BatchApiException api ? api.Summary : ex.Message;
            if (attempt < Retries.Length)
            {
                LogRetry(logger, connectionId, batchId, summary, Retries[attempt].TotalSeconds);
                _ = RetryLaterAsync(connectionId, batchId, attempt, stoppingToken);
            }
            else
            {
                LogGaveUp(logger, connectionId, batchId, summary);
            }
        }
#pragma warning disable CA1031 // One fetch's unexpected failure must not stop the fetches of later webhooks.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            logger.LogError(ex, "Connection {Connection}: batch {BatchId}, named by a webhook, could not be fetched; the next poll brings it", connectionId, batchId);
        }
    }

    private async Task RetryLaterAsync(string connectionId, string batchId, int attempt, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(Retries[attempt], timeProvider, stoppingToken);
            _queue.Writer.TryWrite((connectionId, batchId, attempt + 1));
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task PruneAsync(CancellationToken stoppingToken)
    {
        var now = timeProvider.GetUtcNow();
        if (now - _pruned < TimeSpan.FromHours(1))
        {
            return;
        }

        _pruned = now;
        try
        {
            await receipts.PruneAsync((now - KeepReceipts).ToUnixTimeSeconds(), stoppingToken);
        }
        catch (System.Data.Common.DbException ex)
        {
            logger.LogDebug(ex, "Old webhook receipts could not be deleted; trying again in an hour");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {Connection}: a webhook named batch {BatchId}, which the API does not know")]
    private static partial void LogUnknownBatch(ILogger logger, string connection, string batchId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {Connection}: batch {BatchId}, named by a webhook, could not be fetched ({Error}); trying again in {Seconds} s")]
    private static partial void LogRetry(ILogger logger, string connection, string batchId, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {Connection}: batch {BatchId}, named by a webhook, could not be fetched ({Error}); the next poll brings it")]
    private static partial void LogGaveUp(ILogger logger, string connection, string batchId, string error);
}
