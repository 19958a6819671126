using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Capacity;

/// <summary>A queued-token limit set in configuration: for one connection (or every one) and a model's name start.</summary>
public sealed record ConfiguredLimit
{
    /// <summary>The connection's id; null for every connection.</summary>
    public string? Connection { get; init; }

    /// <summary>A model (<c>gpt-4o-mini</c>, which covers its dated versions), or an Azure deployment's name.</summary>
    public string Model { get; init; } = "";

    /// <summary>Prompt tokens that may be queued in batches at once.</summary>
    public long Tokens { get; init; }
}

/// <summary>
/// The <c>BatchDashboard:Capacity</c> section: which of OpenAI's usage tiers the account is on (its published batch
/// queue limits then apply to OpenAI connections) and limits of one's own, which come first. A batch that fails with
/// <c>token_limit_exceeded</c> teaches its limit too (<see cref="QueueLimits"/>).
/// </summary>
public sealed class CapacityOptions
{
    public const string SectionName = "BatchDashboard:Capacity";

    /// <summary>The tier the demo's emulator enforces, and so the demo connection's limits when no tier is set.</summary>
    public const int DemoTier = 1;

    /// <summary>OpenAI's usage tier, 1 to 5; null applies no published figures.</summary>
    public int? Tier { get; set; }

    public List<ConfiguredLimit> Limits { get; set; } = [];

    /// <summary>How long after a failed count (the file unreachable) it is tried again.</summary>
    public TimeSpan RetryCountAfter { get; set; } = TimeSpan.FromMinutes(10);
}

public sealed class CapacityOptionsValidator : IValidateOptions<CapacityOptions>
{
    public ValidateOptionsResult Validate(string? name, CapacityOptions options)
    {
        var problems = new List<string>();
        if (options.Tier is { } tier && !PublishedLimits.Tiers.Contains(tier))
        {
            problems.Add($"{CapacityOptions.SectionName}:Tier must be one of OpenAI's usage tiers, 1 to 5 (your organization's Limits page says which).");
        }

        for (var i = 0; i < options.Limits.Count; i++)
        {
            var limit = options.Limits[i];
            if (string.IsNullOrWhiteSpace(limit.Model))
            {
                problems.Add($"{CapacityOptions.SectionName}:Limits:{i}:Model is missing: the model (or Azure deployment) the limit is for.");
            }

            if (limit.Tokens <= 0)
            {
                problems.Add($"{CapacityOptions.SectionName}:Limits:{i}:Tokens must be a positive number of prompt tokens (e.g. 2000000).");
            }
        }

        if (options.RetryCountAfter <= TimeSpan.Zero)
        {
            problems.Add($"{CapacityOptions.SectionName}:RetryCountAfter must be positive (e.g. 00:10:00).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
