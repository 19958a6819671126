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

    /// <summary>Every problem with these settings, each naming its configuration key.</summary>
    public IEnumerable<string> Problems(string section)
    {
        if (MaxRetries is < 0 or > 10)
        {
            yield return $"{section}:MaxRetries must be between 0 and 10.";
        }

        foreach (var (name, value) in new[]
        {
            (nameof(BaseDelay), BaseDelay), (nameof(MaxDelay), MaxDelay), (nameof(MaxRetryAfter), MaxRetryAfter),
            (nameof(AttemptTimeout), AttemptTimeout), (nameof(TotalTimeout), TotalTimeout),
        })
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
            {
                yield return $"{section}:{name} must be a positive time span of at most a day (e.g. 00:00:30).";
            }
        }
    }
}

/// <summary>Stops start-up on bad retry or timeout settings, listing every problem at once.</summary>
public sealed class ApiResilienceOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<ApiResilienceOptions>
{
    public const string Section = "BatchDashboard:Api";

    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, ApiResilienceOptions options)
    {
        var problems = options.Problems(Section).ToList();
        return problems.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(problems);
    }
}
