namespace BatchDashboard.Core.Api;

/// <summary>Retries and timeouts of API calls (the <c>BatchDashboard:Api</c> section). Defaults follow OpenAI's SDKs.</summary>
public sealed class ApiResilienceOptions
{
    /// <summary>Retries after the first attempt, for requests that are safe to repeat.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The first backoff delay; it doubles each retry, with jitter, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(0.5);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>The longest <c>retry-after</c> honoured; a longer one is capped to it.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The limit for one attempt, up to the response headers (bodies of reads included).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The limit for a call with all its retries.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
