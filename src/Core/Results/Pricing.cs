namespace BatchDashboard.Core.Results;

/// <summary>A model's list price in US dollars per million tokens. <see cref="Model"/> matches a model name's start.</summary>
public sealed record ModelPrice(string Model, decimal Input, decimal CachedInput, decimal Output);

/// <summary>What a batch's tokens cost at a model's prices, with the Batch API's discount.</summary>
public sealed record CostEstimate(ModelPrice Price, decimal ListPrice, decimal BatchPrice, decimal Discount);

/// <summary>
/// The <c>BatchDashboard:Pricing</c> section: list prices per model (USD per million tokens), which replace or add to
/// <see cref="Defaults"/>, and the Batch API's discount on them (half, as OpenAI charges).
/// </summary>
public sealed class PricingOptions
{
    public const string SectionName = "BatchDashboard:Pricing";

    /// <summary>OpenAI's standard list prices as published in 2025; edit the section when they change.</summary>
    public static IReadOnlyList<ModelPrice> Defaults { get; } =
    [
        new("gpt-4o-mini", 0.15m, 0.075m, 0.60m),
        new("gpt-4o", 2.50m, 1.25m, 10.00m),
        new("gpt-4.1-nano", 0.10m, 0.025m, 0.40m),
        new("gpt-4.1-mini", 0.40m, 0.10m, 1.60m),
        new("gpt-4.1", 2.00m, 0.50m, 8.00m),
        new("gpt-5-nano", 0.05m, 0.005m, 0.40m),
        new("gpt-5-mini", 0.25m, 0.025m, 2.00m),
        new("gpt-5", 1.25m, 0.125m, 10.00m),
        new("o4-mini", 1.10m, 0.275m, 4.40m),
        new("o3", 2.00m, 0.50m, 8.00m),
        new("gpt-3.5-turbo", 0.50m, 0.50m, 1.50m),
        new("text-embedding-3-small", 0.02m, 0.02m, 0m),
        new("text-embedding-3-large", 0.13m, 0.13m, 0m),
        new("text-embedding-ada-002", 0.10m, 0.10m, 0m),
        new("omni-moderation", 0m, 0m, 0m),
    ];

    public List<ModelPrice> Models { get; set; } = [];

    /// <summary>The share taken off list prices for batches.</summary>
    public decimal BatchDiscount { get; set; } = 0.5m;

    /// <summary>The price of the longest entry the model's name starts with; configured entries before defaults.</summary>
    public ModelPrice? PriceOf(string? model)
    {
        if (string.IsNullOrEmpty(model))
        {
            return null;
        }

        static ModelPrice? Best(IEnumerable<ModelPrice> prices, string model) => prices
            .Where(p => !string.IsNullOrEmpty(p.Model) && model.StartsWith(p.Model, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(p => p.Model.Length)
            .FirstOrDefault();

        return Best(Models, model) ?? Best(Defaults, model);
    }

    /// <summary>Cached input tokens are part of the input tokens, and billed at their own price.</summary>
    public CostEstimate? Estimate(string? model, TokenCounts tokens)
    {
        if (PriceOf(model) is not { } price)
        {
            return null;
        }

        const decimal Million = 1_000_000m;
        var uncached = Math.Max(0, tokens.Input - tokens.Cached);
        var list = (uncached * price.Input / Million) + (tokens.Cached * price.CachedInput / Million) + (tokens.Output * price.Output / Million);
        return new CostEstimate(price, list, list * (1 - BatchDiscount), BatchDiscount);
    }
}
