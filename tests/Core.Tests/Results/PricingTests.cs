using BatchDashboard.Core.Results;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using BatchDashboard.Core.Tests.Support;

namespace BatchDashboard.Core.Tests.Results;

public sealed class PricingTests
{
    [Fact]
    public void TheLongestMatchingModel_SetsThePrice_AndTheBatchDiscountHalvesIt()
    {
        var pricing = new PricingOptions();

        var estimate = pricing.Estimate("gpt-4o-mini-2024-07-18", new TokenCounts(Input: 2_000_000, Cached: 1_000_000, Output: 1_000_000, Reasoning: 0))!;

        Assert.Equal("gpt-4o-mini", estimate.Price.Model);
        Assert.Equal(0.15m + 0.075m + 0.60m, estimate.ListPrice);
        Assert.Equal((0.15m + 0.075m + 0.60m) / 2, estimate.BatchPrice);
        Assert.Equal("gpt-4o", pricing.PriceOf("gpt-4o-2024-08-06")!.Model);
        Assert.Null(pricing.Estimate("llama-3-70b", TokenCounts.Zero));
    }

    [Fact]
    public void ConfiguredPrices_ComeBeforeTheDefaults()
    {
        using var services = TestClients.Services(new()
        {
            ["BatchDashboard:Pricing:Models:0:Model"] = "gpt-4o-mini",
            ["BatchDashboard:Pricing:Models:0:Input"] = "1",
            ["BatchDashboard:Pricing:Models:0:CachedInput"] = "0.5",
            ["BatchDashboard:Pricing:Models:0:Output"] = "2",
            ["BatchDashboard:Pricing:BatchDiscount"] = "0.25",
        });

        var pricing = services.GetRequiredService<IOptions<PricingOptions>>().Value;

        Assert.Equal(new ModelPrice("gpt-4o-mini", 1, 0.5m, 2), pricing.PriceOf("gpt-4o-mini-2024-07-18"));
        Assert.Equal(0.75m * 3, pricing.Estimate("gpt-4o-mini", new TokenCounts(1_000_000, 0, 1_000_000, 0))!.BatchPrice);
    }

    [Fact]
    public void ABadPriceTable_IsRefusedNamingItsKey()
    {
        using var services = TestClients.Services(new() { ["BatchDashboard:Pricing:BatchDiscount"] = "2" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PricingOptions>>().Value);

        Assert.Contains("BatchDashboard:Pricing:BatchDiscount", error.Message, StringComparison.Ordinal);
    }
}
