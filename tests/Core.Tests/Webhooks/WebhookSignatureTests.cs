using System.Text;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Webhooks;

namespace BatchDashboard.Core.Tests.Webhooks;

/// <summary>Standard Webhooks signatures, against the specification's published example.</summary>
public sealed class WebhookSignatureTests
{
    // The example the Standard Webhooks specification and its reference libraries publish.
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private const string Signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"test": 2432232314}""");
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(Timestamp);

    private static byte[] Key(string secret = Secret) => ConnectionCatalog.TryReadWebhookSecret(secret, out var key) ? key : throw new ArgumentException("not a secret");

    [Fact]
    public void TheSpecificationsExample_SignsAndVerifies_WithOrWithoutThePrefix()
    {
        Assert.Equal(Signature, WebhookSignature.Sign(Key(), Id, Timestamp, Body));
        Assert.Equal(WebhookVerdict.Valid, WebhookSignature.Verify(Key(), Id, "1614265330", Signature, Body, SignedAt));
        Assert.Equal(WebhookVerdict.Valid, WebhookSignature.Verify(Key(Secret[6..]), Id, "1614265330", Signature, Body, SignedAt));

        // While a secret rotates, several signatures come: any one valid will do; other versions are skipped.
        Assert.Equal(WebhookVerdict.Valid, WebhookSignature.Verify(Key(), Id, "1614265330", "v1,bm9wZQ== v1a,abc " + Signature, Body, SignedAt));
    }

    [Fact]
    public void AnyChange_OrAnotherSecret_IsABadSignature()
    {
        var tampered = Encoding.UTF8.GetBytes("""{"test": 2432232315}""");
        Assert.Equal(WebhookVerdict.BadSignature, WebhookSignature.Verify(Key(), Id, "1614265330", Signature, tampered, SignedAt));
        Assert.Equal(WebhookVerdict.BadSignature, WebhookSignature.Verify(Key(), "msg_other", "1614265330", Signature, Body, SignedAt));
        Assert.Equal(WebhookVerdict.BadSignature, WebhookSignature.Verify(Key(), Id, "1614265331", Signature, Body, SignedAt));
        Assert.Equal(WebhookVerdict.BadSignature, WebhookSignature.Verify(Key("whsec_" + Convert.ToBase64String(new byte[24])), Id, "1614265330", Signature, Body, SignedAt));
        Assert.Equal(WebhookVerdict.BadSignature, WebhookSignature.Verify(Key(), Id, "1614265330", "v1,not base64!", Body, SignedAt));
        Assert.Equal(WebhookVerdict.BadSignature, WebhookSignature.Verify(Key(), Id, "1614265330", "v2," + Signature[3..], Body, SignedAt));
    }

    [Fact]
    public void ATimestampMoreThanFiveMinutesAway_EitherWay_IsStale_AndMissingHeadersAreSaid()
    {
        Assert.Equal(WebhookVerdict.Valid, WebhookSignature.Verify(Key(), Id, "1614265330", Signature, Body, SignedAt.AddMinutes(5)));
        Assert.Equal(WebhookVerdict.Stale, WebhookSignature.Verify(Key(), Id, "1614265330", Signature, Body, SignedAt.AddMinutes(5).AddSeconds(1)));
        Assert.Equal(WebhookVerdict.Stale, WebhookSignature.Verify(Key(), Id, "1614265330", Signature, Body, SignedAt.AddMinutes(-6)));

        Assert.Equal(WebhookVerdict.MissingHeaders, WebhookSignature.Verify(Key(), null, "1614265330", Signature, Body, SignedAt));
        Assert.Equal(WebhookVerdict.MissingHeaders, WebhookSignature.Verify(Key(), Id, "yesterday", Signature, Body, SignedAt));
        Assert.Equal(WebhookVerdict.MissingHeaders, WebhookSignature.Verify(Key(), Id, "1614265330", "", Body, SignedAt));
    }

    [Theory]
    [InlineData("")]
    [InlineData("whsec_")]
    [InlineData("whsec_c2hvcnQ=")] // 5 bytes: too short to be a key
    [InlineData("sk-proj-not-a-webhook-secret")]
    public void WhatIsNotASecret_IsNotTakenForOne(string secret) =>
        Assert.False(ConnectionCatalog.TryReadWebhookSecret(secret, out _));
}
