using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace BatchDashboard.Core.Webhooks;

/// <summary>Why a delivery was refused, or that it was not.</summary>
public enum WebhookVerdict
{
    Valid,

    /// <summary>One of <c>webhook-id</c>, <c>webhook-timestamp</c> or <c>webhook-signature</c> is missing or malformed.</summary>
    MissingHeaders,

    /// <summary>Signed more than <see cref="WebhookSignature.Tolerance"/> before or after now: a replay, or a clock far off.</summary>
    Stale,

    /// <summary>No signature matches the body: a forgery, a body changed on the way, or the wrong secret configured.</summary>
    BadSignature,
}

/// <summary>
/// Standard Webhooks signatures (<c>standardwebhooks.com</c>), as OpenAI and Azure sign their webhooks: HMAC-SHA256
/// with the secret's key over <c>{webhook-id}.{webhook-timestamp}.{body}</c>, sent base64 as <c>v1,&lt;signature&gt;</c>,
/// several separated by spaces while a secret is rotated.
/// <para>Our own few lines rather than the <c>StandardWebhooks</c> package: it needs ASP.NET Core's framework (this
/// library has none by design), takes the body as a string (a signature covers bytes), and reads the system clock for
/// the timestamp window (here it is given, so tests are exact). The emulator signs with that package, and the tests
/// check our signatures with it, so both sides are held to the library a receiver would use.</para>
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>How far a delivery's timestamp may be from now, either way, as the scheme recommends.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>The <c>webhook-signature</c> value for a delivery: <c>v1,</c> and the HMAC in base64.</summary>
    public static string Sign(byte[] key, string id, long timestamp, ReadOnlySpan<byte> body) =>
        "v1," + Convert.ToBase64String(Mac(key, id, timestamp, body));

    /// <summary>Checks a delivery's headers against its body, at <paramref name="now"/>.</summary>
    public static WebhookVerdict Verify(byte[] key, string? id, string? timestamp, string? signatures, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(signatures)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return WebhookVerdict.MissingHeaders;
        }

        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > Tolerance.TotalSeconds)
        {
            return WebhookVerdict.Stale;
        }

        var expected = Mac(key, id, seconds, body);
        Span<byte> given = stackalloc byte[64];
        foreach (var signature in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // Other versions (v1a: asymmetric) are skipped, as the scheme says.
            if (signature.StartsWith("v1,", StringComparison.Ordinal)
                && Convert.TryFromBase64String(signature[3..], given, out var length)
                && CryptographicOperations.FixedTimeEquals(given[..length], expected))
            {
                return WebhookVerdict.Valid;
            }
        }

        return WebhookVerdict.BadSignature;
    }

    private static byte[] Mac(byte[] key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{id}.{timestamp}."));
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return HMACSHA256.HashData(key, signed);
    }
}
