using System.Text.Json;
using System.Text.Json.Nodes;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Notifications;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Tests.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StandardWebhooks;

namespace BatchDashboard.Core.Tests.Notifications;

/// <summary>
/// Notifications over the whole path: the sync writes a batch's end as an event, the rules pick it, and real receivers
/// get it (a webhook that verifies its signature with the Standard Webhooks library, a Slack-compatible endpoint, a
/// real SMTP server), once, with retries and backoff when a receiver fails.
/// </summary>
public class NotificationTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    protected virtual Task<CoreHarness> StartHarnessAsync(Dictionary<string, string?> settings, TimeProvider time) => CoreHarness.StartAsync(settings, time);

    private static Dictionary<string, string?> Rule(string name, string when, params string[] channels)
    {
        var settings = new Dictionary<string, string?>
        {
            ["BatchDashboard:Notifications:DashboardUrl"] = "https://ops.example.com/batches-dashboard",
            ["BatchDashboard:Notifications:Rules:0:Name"] = name,
            ["BatchDashboard:Notifications:Rules:0:When:0"] = when,
        };
        for (var i = 0; i < channels.Length; i++)
        {
            settings[$"BatchDashboard:Notifications:Rules:0:Channels:{i}"] = channels[i];
        }

        return settings;
    }

    private static string Running(string id, string team) =>
        TestBatches.Json(id, "in_progress", change: b => b["metadata"] = new JsonObject { ["team"] = team });

    private static void Fail(FakeBatchApi api, string id) => api.Update(id, b =>
    {
        b["status"] = "failed";
        b["failed_at"] = TestBatches.Created + 600;
        b["errors"] = new JsonObject { ["data"] = new JsonArray(new JsonObject { ["code"] = "invalid_request", ["message"] = "The model gpt-5-nano does not exist." }) };
    });

    [Fact]
    public async Task AnEndSeenAfterTheFirstImport_ReachesAWebhookAndSlack_OnceAndOnlyWhereTheRuleSays()
    {
        var verified = new List<JsonElement>();
        await using var webhook = new ApiTestServer(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            new StandardWebhook(Secret).Verify(body, context.Request.Headers); // throws on a bad signature: the answer is then 500
            verified.Add(JsonDocument.Parse(body).RootElement.Clone());
        });
        await using var slack = new ApiTestServer(_ => Task.CompletedTask);
        var settings = Rule("search team failures", "failed", "hooks", "chat");
        settings["BatchDashboard:Notifications:Rules:0:Metadata"] = "team=search";
        settings["BatchDashboard:Notifications:Channels:0:Id"] = "hooks";
        settings["BatchDashboard:Notifications:Channels:0:Kind"] = "Webhook";
        settings["BatchDashboard:Notifications:Channels:0:Url"] = webhook.BaseUrl + "/hooks";
        settings["BatchDashboard:Notifications:Channels:0:SecretName"] = "HOOKS_SECRET";
        settings["BatchDashboard:Notifications:Channels:1:Id"] = "chat";
        settings["BatchDashboard:Notifications:Channels:1:Kind"] = "Slack";
        settings["BatchDashboard:Notifications:Channels:1:UrlName"] = "SLACK_WEBHOOK_URL";
        settings["HOOKS_SECRET"] = Secret;
        settings["SLACK_WEBHOOK_URL"] = slack.BaseUrl + "/services/T000/B000/XXXX";

        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var harness = await StartHarnessAsync(settings, clock);
        harness.Services.GetRequiredService<ConnectionCatalog>().Add(harness.Connection);
        harness.Api.Add(Running("batch_search", "search"));
        harness.Api.Add(Running("batch_ads", "ads"));
        harness.Api.Add(TestBatches.Json("batch_old_failure", "failed", created: TestBatches.Created - 100)); // history, not news
        var syncer = harness.Syncer();
        await syncer.RunCycleAsync(Token); // the first import
        Fail(harness.Api, "batch_search");
        Fail(harness.Api, "batch_ads");
        await syncer.RunCycleAsync(Token);

        var service = harness.Services.GetRequiredService<NotificationService>();
        await service.RunOnceAsync(Token);
        await service.RunOnceAsync(Token); // nothing more: each event is told once

        var sent = Assert.Single(verified);
        Assert.Equal(("batch.failed", "search team failures", "batch_search", "failed", "search"),
            (sent.GetProperty("type").GetString(), sent.GetProperty("rule").GetString(), sent.GetProperty("batch").GetProperty("id").GetString(),
             sent.GetProperty("batch").GetProperty("status").GetString(), sent.GetProperty("batch").GetProperty("metadata").GetProperty("team").GetString()));
        Assert.Equal("https://ops.example.com/batches-dashboard/batches/batch_search?connection=test", sent.GetProperty("url").GetString());
        Assert.Contains("invalid_request: The model gpt-5-nano does not exist.", sent.GetProperty("summary").GetString(), StringComparison.Ordinal);

        var posted = Assert.Single(slack.Requests);
        Assert.Equal("/v1/services/T000/B000/XXXX", posted.Path);
        var text = JsonDocument.Parse(posted.Body).RootElement.GetProperty("text").GetString()!;
        Assert.StartsWith("*<https://ops.example.com/batches-dashboard/batches/batch_search?connection=test|Batch batch_search failed · Test>*", text, StringComparison.Ordinal);

        var log = await service.ListAsync(10, Token);
        Assert.Equal(2, log.Count);
        Assert.All(log, d => Assert.Equal(("sent", 1, "HTTP 200 OK"), (d.State, d.Attempts, d.Answer)));
        Assert.Contains(log, d => d.Where == "Slack (127.0.0.1)"); // a Slack address is its secret: the host only
    }

    [Fact]
    public async Task AReceiverThatFails_IsTriedAgainWithBackoff_ThenGivenUp_AndSendAgainQueuesItOnceMore()
    {
        var answer = StatusCodes.Status503ServiceUnavailable;
        await using var receiver = new ApiTestServer(context =>
        {
            context.Response.StatusCode = answer;
            return Task.CompletedTask;
        });
        var settings = Rule("every end", "failed", "hooks");
        settings["BatchDashboard:Notifications:Channels:0:Id"] = "hooks";
        settings["BatchDashboard:Notifications:Channels:0:Kind"] = "Webhook";
        settings["BatchDashboard:Notifications:Channels:0:Url"] = receiver.BaseUrl + "/hooks";
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var harness = await StartHarnessAsync(settings, clock);
        harness.Services.GetRequiredService<ConnectionCatalog>().Add(harness.Connection);
        harness.Api.Add(Running("batch_1", "search"));
        var syncer = harness.Syncer();
        await syncer.RunCycleAsync(Token);
        Fail(harness.Api, "batch_1");
        await syncer.RunCycleAsync(Token);
        var service = harness.Services.GetRequiredService<NotificationService>();

        // The first try, then one after each wait: 10 s, 1 min, 5 min, 30 min, 2 h. Nothing goes before its time.
        Assert.InRange(await service.RunOnceAsync(Token), TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(10)); // to the second
        foreach (var wait in NotificationService.Retries)
        {
            clock.Advance(wait - TimeSpan.FromSeconds(1));
            await service.RunOnceAsync(Token);
            clock.Advance(TimeSpan.FromSeconds(1));
            await service.RunOnceAsync(Token);
        }

        Assert.Equal(6, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(r => r.Headers["webhook-id"]).Distinct()); // the same id on every try
        var failed = Assert.Single(await service.ListAsync(10, Token));
        Assert.Equal(("failed", 6, "HTTP 503 Service Unavailable", (DateTimeOffset?)null), (failed.State, failed.Attempts, failed.Answer, failed.NextAttemptAt));

        answer = StatusCodes.Status204NoContent;
        Assert.True(await service.SendAgainAsync(failed.Key, Token));
        await service.RunOnceAsync(Token);
        Assert.Equal(("sent", "HTTP 204 No Content"), ((await service.ListAsync(10, Token))[0].State, (await service.ListAsync(10, Token))[0].Answer));
        Assert.Equal(7, receiver.Requests.Count);
    }

    [Fact]
    public async Task AnEmail_GoesThroughARealSmtpServer_WithTheBatchsLink()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        var settings = Rule("mail me", "failed", "mail");
        settings["BatchDashboard:Notifications:Channels:0:Id"] = "mail";
        settings["BatchDashboard:Notifications:Channels:0:Kind"] = "Email";
        settings["BatchDashboard:Notifications:Channels:0:Host"] = "127.0.0.1";
        settings["BatchDashboard:Notifications:Channels:0:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["BatchDashboard:Notifications:Channels:0:Security"] = "None";
        settings["BatchDashboard:Notifications:Channels:0:From"] = "Batch Dashboard <batches@example.com>";
        settings["BatchDashboard:Notifications:Channels:0:To:0"] = "oncall@example.com";
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var harness = await StartHarnessAsync(settings, clock);
        harness.Services.GetRequiredService<ConnectionCatalog>().Add(harness.Connection);
        harness.Api.Add(Running("batch_mail", "search"));
        var syncer = harness.Syncer();
        await syncer.RunCycleAsync(Token);
        Fail(harness.Api, "batch_mail");
        await syncer.RunCycleAsync(Token);

        var service = harness.Services.GetRequiredService<NotificationService>();
        await service.RunOnceAsync(Token);

        var mail = Assert.Single(smtp.Messages);
        Assert.Equal("Batch batch_mail failed · Test", mail.Subject);
        Assert.Equal("oncall@example.com", Assert.Single(mail.To.Mailboxes).Address);
        Assert.Contains("Open it: https://ops.example.com/batches-dashboard/batches/batch_mail?connection=test", mail.TextBody, StringComparison.Ordinal);
        Assert.Equal("sent", Assert.Single(await service.ListAsync(10, Token)).State);
    }

    [Fact]
    public async Task ARunningBatchsAlarm_IsAnEventOnce_HoweverOftenItIsLookedFor()
    {
        await using var receiver = new ApiTestServer(_ => Task.CompletedTask);
        var settings = Rule("slow finalizing", NotificationEvents.LongPhase, "hooks");
        settings["BatchDashboard:Notifications:Channels:0:Id"] = "hooks";
        settings["BatchDashboard:Notifications:Channels:0:Kind"] = "Webhook";
        settings["BatchDashboard:Notifications:Channels:0:Url"] = receiver.BaseUrl + "/hooks";
        var clock = new ManualClock(DateTimeOffset.FromUnixTimeSeconds(TestBatches.Created).AddMinutes(30));
        await using var harness = await StartHarnessAsync(settings, clock);
        harness.Services.GetRequiredService<ConnectionCatalog>().Add(harness.Connection);
        harness.Api.Add(TestBatches.Json("batch_slow", "finalizing", change: b => b["finalizing_at"] = TestBatches.Created + 60));
        await harness.Syncer().RunCycleAsync(Token);
        var service = harness.Services.GetRequiredService<NotificationService>();

        await service.RunOnceAsync(Token);
        Assert.Empty(receiver.Requests); // finalizing for 29 min: not yet longer than usual (1 h)

        for (var i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(30));
            await service.RunOnceAsync(Token);
        }

        var posted = Assert.Single(receiver.Requests);
        Assert.Contains("\"type\":\"batch.long_phase\"", posted.Body, StringComparison.Ordinal);
        Assert.Contains("is finalizing for longer than usual", posted.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARuleSetInTheSettingsPage_IsKeptInTheCache_AndUsed_BesideConfigurations()
    {
        await using var receiver = new ApiTestServer(_ => Task.CompletedTask);
        var settings = Rule("from configuration", "completed", "hooks");
        settings["BatchDashboard:Notifications:Channels:0:Id"] = "hooks";
        settings["BatchDashboard:Notifications:Channels:0:Kind"] = "Webhook";
        settings["BatchDashboard:Notifications:Channels:0:Url"] = receiver.BaseUrl + "/hooks";
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var harness = await StartHarnessAsync(settings, clock);
        harness.Services.GetRequiredService<ConnectionCatalog>().Add(harness.Connection);
        var log = harness.Services.GetRequiredService<INotificationLog>();

        Assert.Equal(["Name 'From Configuration' is used by another rule."],
            await log.SaveRuleAsync(null, new RuleOptions { Name = "From Configuration", When = ["failed"], Channels = ["hooks"] }, "ana", Token));
        Assert.Equal(2, (await log.SaveRuleAsync(null, new RuleOptions { Name = "page rule", When = ["exploded"], Channels = ["pager"] }, "ana", Token)).Count);
        Assert.Empty(await log.SaveRuleAsync(null, new RuleOptions { Name = " search failures ", When = ["failed"], Metadata = "team=search", Channels = ["hooks"] }, "ana", Token));

        var rules = await log.GetRulesAsync(Token);
        Assert.Equal([("from configuration", true, null), ("search failures", false, "ana")], rules.Select(r => (r.Rule.Name, r.FromConfiguration, r.UpdatedBy)));

        harness.Api.Add(Running("batch_1", "search"));
        var syncer = harness.Syncer();
        await syncer.RunCycleAsync(Token);
        Fail(harness.Api, "batch_1");
        await syncer.RunCycleAsync(Token);
        await harness.Services.GetRequiredService<NotificationService>().RunOnceAsync(Token);
        Assert.Equal("search failures", Assert.Single(await log.ListAsync(10, Token)).Rule);

        Assert.True(await log.DeleteRuleAsync(rules[1].Key!.Value, Token));
        Assert.Single(await log.GetRulesAsync(Token));
    }

    [Theory]
    [InlineData(null, null, null, null, true)]
    [InlineData("TEST", null, null, null, true)]
    [InlineData("other", null, null, null, false)]
    [InlineData(null, "/v1/chat/completions", "gpt-4o-mini", "team=search", true)]
    [InlineData(null, "/v1/embeddings", null, null, false)]
    [InlineData(null, null, "gpt-4o", null, false)]
    [InlineData(null, null, null, "team=ads", false)]
    [InlineData(null, null, null, "owner=ana", false)]
    public void ARule_IsNarrowedByConnectionEndpointModelAndMetadata(string? connection, string? endpoint, string? model, string? metadata, bool matches)
    {
        var batch = BatchReader.Read(TestBatches.Json("batch_x", "failed", change: b =>
        {
            b["model"] = "gpt-4o-mini-2024-07-18";
            b["metadata"] = new JsonObject { ["team"] = "search" };
        })).Batch!;
        var rule = new RuleOptions { Name = "r", When = ["failed"], Connection = connection, Endpoint = endpoint, Model = model, Metadata = metadata, Channels = ["c"] };
        Assert.Equal(matches, NotificationService.Matches(rule, "failed", "test", batch));
        Assert.False(NotificationService.Matches(rule, "completed", "test", batch));
    }
}

/// <summary>The same on PostgreSQL, and two instances sharing it: an end both see is one event, told once.</summary>
[Collection(PostgresCollection.Name)]
public sealed class NotificationOnPostgresTests(PostgresServer postgres) : NotificationTests
{
    protected override Task<CoreHarness> StartHarnessAsync(Dictionary<string, string?> settings, TimeProvider time) => CoreHarness.StartAsync(postgres, settings, time);

    [Fact]
    public async Task TwoInstancesWritingTheSameEnd_MakeOneEvent_AndOneDelivery()
    {
        await using var receiver = new ApiTestServer(_ => Task.CompletedTask);
        var database = await postgres.CreateDatabaseAsync();
        Dictionary<string, string?> Settings() => new()
        {
            ["BatchDashboard:Database:Provider"] = "Postgres",
            ["ConnectionStrings:BatchCache"] = database,
            ["BatchDashboard:Notifications:Rules:0:Name"] = "ends",
            ["BatchDashboard:Notifications:Rules:0:When:0"] = "failed",
            ["BatchDashboard:Notifications:Rules:0:Channels:0"] = "hooks",
            ["BatchDashboard:Notifications:Channels:0:Id"] = "hooks",
            ["BatchDashboard:Notifications:Channels:0:Kind"] = "Webhook",
            ["BatchDashboard:Notifications:Channels:0:Url"] = receiver.BaseUrl + "/hooks",
        };
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var a = await CoreHarness.StartAsync(Settings(), clock);
        await using var b = await CoreHarness.StartAsync(Settings(), clock);
        a.Api.Add(TestBatches.Json("batch_shared", "in_progress"));
        b.Api.Add(TestBatches.Json("batch_shared", "in_progress"));
        foreach (var harness in new[] { a, b })
        {
            harness.Services.GetRequiredService<ConnectionCatalog>().Add(TestClients.Connection(harness.Connection.BaseUrl));
        }

        await a.Syncer().RunCycleAsync(TestContext.Current.CancellationToken); // the first import, by one of them
        foreach (var harness in new[] { a, b })
        {
            harness.Api.Update("batch_shared", x => x["status"] = "failed");
        }

        // Both write the end (the leader's cycle, and another instance's refresh or webhook), at once.
        await Task.WhenAll(a.Syncer().RunCycleAsync(TestContext.Current.CancellationToken), b.Syncer().RunCycleAsync(TestContext.Current.CancellationToken));
        await a.Services.GetRequiredService<NotificationService>().RunOnceAsync(TestContext.Current.CancellationToken);
        await a.Services.GetRequiredService<NotificationService>().RunOnceAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, await a.ScalarAsync("SELECT COUNT(*) FROM batch_events"));
        Assert.Single(receiver.Requests);
    }
}
