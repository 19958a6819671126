using System.Globalization;
using System.Net;

namespace BatchDashboard.Core.Api;

/// <summary>When to retry and how long to wait, as OpenAI's SDKs decide it.</summary>
internal static class RetryRules
{
    /// <summary>
    /// 408, 409, 429 and 5xx are retried; <c>x-should-retry</c> overrides that either way; a rejected key or
    /// permission (401, 403) never is.
    /// </summary>
    public static bool ShouldRetry(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status is 401 or 403)
        {
            return false;
        }

        if (response.Headers.TryGetValues("x-should-retry", out var values))
        {
            var value = values.FirstOrDefault()?.Trim();
            if (string.Equals(value, "true", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (string.Equals(value, "false", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return status is 408 or 409 or 429 || status >= 500;
    }

    /// <summary>
    /// The wait the server asks for: <c>retry-after-ms</c>, else <c>retry-after</c> (seconds or an HTTP date), capped
    /// at <paramref name="max"/>. Null when it asks for none, so the backoff applies.
    /// </summary>
    public static TimeSpan? RequestedDelay(HttpResponseMessage? response, DateTimeOffset now, TimeSpan max)
    {
        if (response is null)
        {
            return null;
        }

        TimeSpan? requested = null;
        if (response.Headers.TryGetValues("retry-after-ms", out var milliseconds)
            && double.TryParse(milliseconds.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && double.IsFinite(ms))
        {
            requested = TimeSpan.FromMilliseconds(Math.Min(ms, max.TotalMilliseconds));
        }
        else if (response.Headers.TryGetValues("retry-after", out var retryAfter))
        {
            var text = retryAfter.FirstOrDefault()?.Trim();
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
            {
                requested = TimeSpan.FromSeconds(Math.Min(seconds, max.TotalSeconds));
            }
            else if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                requested = date - now;
            }
        }

        if (requested is not { } delay || delay <= TimeSpan.Zero)
        {
            return null;
        }

        return delay > max ? max : delay;
    }

    public static bool IsRetriable(HttpStatusCode status) => (int)status is 408 or 409 or 429 or >= 500;
}
