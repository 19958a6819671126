using System.Collections.Concurrent;
using System.Text.Json;
using BatchDashboard.Emulator;
using BatchDashboard.Tests.Shared;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;

namespace BatchDashboard.Emulator.Tests;

/// <summary>The emulator sends OpenAI's batch webhooks, signed so the Standard Webhooks library verifies them, and retries.</summary>
public sealed class WebhookTests
{
    [Fact]
    public async Task ABatchsEnd_IsSentSigned_AndAFailedDeliveryIsRetriedWithTheSameId()
    {
        var secret = WebhookTarget.NewSecret();
        var received = new ConcurrentQueue<(string Id, int Answer, string Body)>();
        var verified = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var receiver = new ApiTestServer(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            // The first delivery fails, as a receiver that is down would; the retry is verified with the library.
            var answer = received.IsEmpty ? 500 : 200;
            if (answer == 200)
            {
                new StandardWebhook(secret).Verify(body, context.Request.Headers);
            }

            received.Enqueue((context.Request.Headers["webhook-id"].ToString(), answer, body));
            context.Response.StatusCode = answer;
            if (answer == 200)
            {
                verified.TrySetResult();
            }
        });
        await using var emulator = await EmulatorHarness.StartAsync(o =>
        {
            o.WebhookUrl = receiver.BaseUrl.ToString();
            o.WebhookSecret = secret;
        }, DateTimeOffset.UtcNow);

        var batch = await emulator.StartBatchAsync(5);
        emulator.Clock.Advance(TimeSpan.FromSeconds(30)); // validated, run and finalized: completed
        await verified.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        var deliveries = received.ToArray();
        Assert.Equal([500, 200], deliveries.Select(d => d.Answer));
        Assert.Single(deliveries.Select(d => d.Id).Distinct());
        Assert.StartsWith("wh_", deliveries[0].Id, StringComparison.Ordinal);
        var @event = JsonDocument.Parse(deliveries[1].Body).RootElement;
        Assert.Equal(("event", "batch.completed", batch.GetProperty("id").GetString()),
            (@event.GetProperty("object").GetString(), @event.GetProperty("type").GetString(), @event.GetProperty("data").GetProperty("id").GetString()));
        Assert.StartsWith("evt_", @event.GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("http://localhost:5171/webhooks/demo", null)]
    [InlineData("http://localhost:5171/webhooks/demo", "whsec_c2hvcnQ=")]
    public void AWebhookUrlNeedsAnAddressAndASecret(string url, string? secret) =>
        Assert.Contains(new EmulatorOptions { WebhookUrl = url, WebhookSecret = secret }.Validate(), p => p.StartsWith("Emulator:WebhookUrl", StringComparison.Ordinal));
}
