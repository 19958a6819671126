using System.Security.Cryptography;
using System.Text;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Sync;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Core.Webhooks;
using BatchDashboard.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BatchDashboard.Core.Tests.Webhooks;

/// <summary>
/// The provider's webhooks, received: verified with the connection's secret, acted on once per delivery, the batch
/// fetched from the API (a real HTTP server) after the answer and stored, which pages hear as any change.
/// </summary>
public class WebhookInboxTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    protected virtual Task<CoreHarness> StartHarnessAsync(TimeProvider time) => CoreHarness.StartAsync(time: time);

    internal static ApiConnection WithWebhooks(ApiConnection connection, byte[]? key) => new()
    {
        Id = connection.Id, Name = connection.Name, Kind = connection.Kind, BaseUrl = connection.BaseUrl, ApiKey = connection.ApiKey, WebhookKey = key,
    };

    internal static (string Id, string Timestamp, string Signature, byte[] Body) Delivery(string type, string batchId, DateTimeOffset at, string? id = null, byte[]? key = null)
    {
        id ??= "wh_" + Guid.NewGuid().ToString("N");
        var body = Encoding.UTF8.GetBytes($$$"""{"id":"evt_{{{Guid.NewGuid():N}}}","object":"event","type":"{{{type}}}","created_at":{{{at.ToUnixTimeSeconds()}}},"data":{"id":"{{{batchId}}}"}}""");
        var timestamp = at.ToUnixTimeSeconds();
        return (id, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), WebhookSignature.Sign(key ?? Key, id, timestamp, body), body);
    }

    private static Task<WebhookReceipt> SendAsync(IWebhookInbox inbox, string connectionId, (string Id, string Timestamp, string Signature, byte[] Body) d) =>
        inbox.ReceiveAsync(connectionId, d.Id, d.Timestamp, d.Signature, d.Body, Token);

    [Fact]
    public async Task ABatchEvent_IsAcknowledged_ThenItsBatchIsFetchedAndStored_AndARetryOfItIsNotActedOnAgain()
    {
        var clock = new ManualClock(Now);
        await using var harness = await StartHarnessAsync(clock);
        var connection = WithWebhooks(harness.Connection, Key);
        harness.Services.GetRequiredService<ConnectionCatalog>().Add(connection);
        harness.Api.Add($$$"""{"id":"batch_w1","object":"batch","status":"in_progress","endpoint":"/v1/chat/completions","created_at":{{{Now.AddHours(-1).ToUnixTimeSeconds()}}},"request_counts":{"total":10,"completed":4,"failed":0}}""");
        await harness.Syncer(connection: connection).RunCycleAsync(Token);
        harness.Api.Update("batch_w1", b =>
        {
            b["status"] = "completed";
            b["completed_at"] = Now.ToUnixTimeSeconds();
            b["request_counts"] = new System.Text.Json.Nodes.JsonObject { ["total"] = 10, ["completed"] = 10, ["failed"] = 0 };
        });
        harness.Api.ResetCalls();

        var refresher = harness.Services.GetRequiredService<WebhookRefresher>();
        await refresher.StartAsync(Token);
        var stored = new TaskCompletionSource<CacheChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = harness.Services.GetRequiredService<IBatchChangeNotifications>().Subscribe(change =>
        {
            if (change.ChangedBatchIds.Contains("batch_w1"))
            {
                stored.TrySetResult(change);
            }

            return Task.CompletedTask;
        });
        var inbox = harness.Services.GetRequiredService<IWebhookInbox>();
        var delivery = Delivery("batch.completed", "batch_w1", Now);

        var receipt = await SendAsync(inbox, connection.Id, delivery);
        Assert.Equal((WebhookOutcome.Accepted, "batch.completed", "batch_w1"), (receipt.Outcome, receipt.EventType, receipt.BatchId));
        await stored.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(BatchStatusKind.Completed, (await harness.Queries.GetAsync("batch_w1", connection.Id, Token))!.Batch.Status.Kind);
        Assert.Equal(1, harness.Api.Calls); // one GET of the batch

        // The provider retries a delivery it thinks failed: the same webhook-id, a fresh timestamp and signature.
        clock.Advance(TimeSpan.FromMinutes(1));
        var retry = Delivery("batch.completed", "batch_w1", clock.GetUtcNow(), id: delivery.Id);
        Assert.Equal(WebhookOutcome.Duplicate, (await SendAsync(inbox, connection.Id, retry)).Outcome);
        await refresher.StopAsync(Token);
        Assert.Equal(1, harness.Api.Calls);
    }

    [Fact]
    public async Task WhileWebhooksArrive_TheSyncPollsRunningBatchesLessOften_AndAsOftenAgainADayAfterTheLast()
    {
        var clock = new ManualClock(Now);
        await using var harness = await StartHarnessAsync(clock);
        var connection = WithWebhooks(harness.Connection, Key);
        harness.Services.GetRequiredService<ConnectionCatalog>().Add(connection);
        var loop = harness.Services.GetRequiredService<BatchDashboard.Core.Sync.SyncLoop>();
        var options = harness.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SyncOptions>>().Value;

        Assert.Equal(options.ActivePollInterval, await loop.WaitAfterAsync(connection, hasActiveBatches: true, Token));
        Assert.Equal(WebhookOutcome.Accepted, (await SendAsync(harness.Services.GetRequiredService<IWebhookInbox>(), connection.Id, Delivery("batch.completed", "batch_x", Now))).Outcome);
        Assert.Equal(options.WebhookPollInterval, await loop.WaitAfterAsync(connection, hasActiveBatches: true, Token));
        Assert.Equal(options.IdlePollInterval, await loop.WaitAfterAsync(connection, hasActiveBatches: false, Token));
        Assert.Equal(options.ActivePollInterval, await loop.WaitAfterAsync(WithWebhooks(connection, key: null), hasActiveBatches: true, Token));

        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(options.ActivePollInterval, await loop.WaitAfterAsync(connection, hasActiveBatches: true, Token));
    }

    [Fact]
    public async Task ForgedStaleAndUnaddressedDeliveries_AreRefused_AndOtherEventsAreOnlyAcknowledged()
    {
        var clock = new ManualClock(Now);
        await using var harness = await StartHarnessAsync(clock);
        var catalog = harness.Services.GetRequiredService<ConnectionCatalog>();
        catalog.Add(WithWebhooks(harness.Connection, Key));
        catalog.Add(WithWebhooks(TestClients.Connection(harness.Connection.BaseUrl, id: "no-secret"), key: null));
        var inbox = harness.Services.GetRequiredService<IWebhookInbox>();

        var forged = Delivery("batch.failed", "batch_x", Now, key: RandomNumberGenerator.GetBytes(32));
        Assert.Equal((WebhookOutcome.Refused, WebhookVerdict.BadSignature), ((await SendAsync(inbox, "test", forged)).Outcome, (await SendAsync(inbox, "test", forged)).Verdict));

        var good = Delivery("batch.failed", "batch_x", Now);
        var tampered = good with { Body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(good.Body).Replace("batch_x", "batch_y", StringComparison.Ordinal)) };
        Assert.Equal(WebhookVerdict.BadSignature, (await SendAsync(inbox, "test", tampered)).Verdict);

        var old = Delivery("batch.failed", "batch_x", Now.AddMinutes(-10));
        Assert.Equal((WebhookOutcome.Refused, WebhookVerdict.Stale), ((await SendAsync(inbox, "test", old)).Outcome, (await SendAsync(inbox, "test", old)).Verdict));

        Assert.Equal(WebhookOutcome.NotReceiving, (await SendAsync(inbox, "nobody", good)).Outcome);
        Assert.Equal(WebhookOutcome.NotReceiving, (await SendAsync(inbox, "no-secret", good)).Outcome);

        // Refused deliveries left no receipt: the genuine one is still new. An event the dashboard does not act on is acknowledged.
        Assert.Equal(WebhookOutcome.Accepted, (await SendAsync(inbox, "test", good)).Outcome);
        Assert.Equal(WebhookOutcome.Accepted, (await SendAsync(inbox, "test", Delivery("response.completed", "resp_1", Now))).Outcome);
        var notJson = (Id: "wh_not_json", Timestamp: Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            Signature: WebhookSignature.Sign(Key, "wh_not_json", Now.ToUnixTimeSeconds(), "not json"u8), Body: "not json"u8.ToArray());
        var receipt = await SendAsync(inbox, "test", notJson);
        Assert.Equal((WebhookOutcome.Accepted, null, null), (receipt.Outcome, receipt.EventType, receipt.BatchId));
    }
}

/// <summary>The same on PostgreSQL, and two instances sharing it: whichever gets a delivery, exactly one acts.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WebhookInboxOnPostgresTests(PostgresServer postgres) : WebhookInboxTests
{
    protected override Task<CoreHarness> StartHarnessAsync(TimeProvider time) => CoreHarness.StartAsync(postgres, time: time);

    [Fact]
    public async Task TwoInstancesGettingTheSameDelivery_OnlyOneActs()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var database = await postgres.CreateDatabaseAsync();
        Dictionary<string, string?> Shared() => new() { ["BatchDashboard:Database:Provider"] = "Postgres", ["ConnectionStrings:BatchCache"] = database };
        await using var a = await CoreHarness.StartAsync(Shared(), clock);
        await using var b = await CoreHarness.StartAsync(Shared(), clock);
        var key = RandomNumberGenerator.GetBytes(32);
        foreach (var harness in new[] { a, b })
        {
            harness.Services.GetRequiredService<ConnectionCatalog>().Add(WithWebhooks(TestClients.Connection(a.Connection.BaseUrl), key));
        }

        for (var i = 0; i < 20; i++)
        {
            var d = Delivery("batch.expired", $"batch_{i}", clock.GetUtcNow(), key: key);
            var receipts = await Task.WhenAll(
                a.Services.GetRequiredService<IWebhookInbox>().ReceiveAsync("test", d.Id, d.Timestamp, d.Signature, d.Body, TestContext.Current.CancellationToken),
                b.Services.GetRequiredService<IWebhookInbox>().ReceiveAsync("test", d.Id, d.Timestamp, d.Signature, d.Body, TestContext.Current.CancellationToken));
            Assert.Equal([WebhookOutcome.Duplicate, WebhookOutcome.Accepted], receipts.Select(r => r.Outcome).Order());
        }
    }
}
