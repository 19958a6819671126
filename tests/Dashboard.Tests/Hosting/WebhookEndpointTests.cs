using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Webhooks;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Dashboard.Tests.Hosting;

/// <summary>
/// <c>POST webhooks/{connection}</c> over HTTP: open to the provider (no sign-in, and from any address even in the
/// local access mode), where the signature is the proof; what fails the check is refused with a reason.
/// </summary>
public sealed class WebhookEndpointTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static CancellationToken Token => Xunit.TestContext.Current.CancellationToken;

    private static HttpRequestMessage Delivery(string connection, string body, string? signature = null, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        ConnectionCatalog.TryReadWebhookSecret(Secret, out var key);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/{connection}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", "wh_" + Guid.NewGuid().ToString("N"));
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", signature ?? WebhookSignature.Sign(key, request.Headers.GetValues("webhook-id").Single(), timestamp, Encoding.UTF8.GetBytes(body)));
        return request;
    }

    [Fact]
    public async Task AProvidersDelivery_IsTakenFromAnyAddress_WithoutSignIn_AndWhatFailsTheCheckIsRefusedWithAReason()
    {
        await using var app = new DashboardAppFactory().WithClientAddress(IPAddress.Parse("203.0.113.7"));
        app.WithFakeUpstream();
        app.WithSetting("OPENAI_WEBHOOK_SECRET", Secret);
        using var client = app.CreateClient(new() { AllowAutoRedirect = false });
        const string body = """{"id":"evt_1","object":"event","type":"batch.completed","created_at":1764936000,"data":{"id":"batch_1"}}""";

        using var good = await client.SendAsync(Delivery("openai", body), Token);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);

        using var forged = await client.SendAsync(Delivery("openai", body, signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), Token);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal("The delivery's signature does not match.", await forged.Content.ReadAsStringAsync(Token));

        using var stale = await client.SendAsync(Delivery("openai", body, at: DateTimeOffset.UtcNow.AddHours(-1)), Token);
        Assert.Equal("The delivery's timestamp is more than 5 minutes from now.", await stale.Content.ReadAsStringAsync(Token));

        using var unsigned = new HttpRequestMessage(HttpMethod.Post, "/webhooks/openai") { Content = new StringContent(body) };
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(unsigned, Token)).StatusCode);

        using var elsewhere = await client.SendAsync(Delivery("nobody", body), Token);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);

        using var huge = await client.SendAsync(Delivery("openai", new string(' ', 100_000) + body), Token);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);

        // The rest of the dashboard is still closed to that address.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/batches", Token)).StatusCode);
    }
}
