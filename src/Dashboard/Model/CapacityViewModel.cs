using BatchDashboard.Core.Capacity;
using BatchDashboard.Core.Connections;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// The capacity page: per connection and model, the prompt tokens running batches hold against the model's
/// queued-token limit, with those batches. One per circuit (scoped); read from the cache, never the API.
/// </summary>
public sealed class CapacityViewModel(ICapacityQueries capacity, IConnectionCatalog catalog, ILogger<CapacityViewModel> logger)
{
    public CapacityReport? Report { get; private set; }

    /// <summary>Why the queues could not be read (the cache unreachable), for a person to act on.</summary>
    public string? Error { get; private set; }

    /// <summary>With several connections, each queue names its connection.</summary>
    public bool ShowConnection => catalog.Connections.Count > 1;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            Report = await capacity.GetAsync(cancellationToken);
            Error = null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException or IOException)
        {
            logger.LogWarning(ex, "Reading the queued tokens failed");
            Error = "The cache could not be read just now, so the queues are not shown. The page tries again when the sync brings news.";
        }
    }

    /// <summary>"1,234,567 of 2,000,000 tokens queued (62%)", or without a limit "1,234,567 tokens queued".</summary>
    public static string Summary(ModelQueue queue) => queue.Limit is { } limit
        ? $"{CapacityText.Number(queue.QueuedTokens)} of {CapacityText.Number(limit.Tokens)} tokens queued ({Share.Format(queue.QueuedTokens, limit.Tokens)})"
        : $"{CapacityText.Tokens(queue.QueuedTokens)} queued";

    /// <summary>The batches a queue lists, those holding the most first; the JSON API lists them all.</summary>
    public const int RowsPerQueue = 10;

    /// <summary>"… and 12 more batches, holding 3,400,000 tokens" beyond the rows listed; null when all are.</summary>
    public static string? Rest(ModelQueue queue)
    {
        var rest = queue.Batches.Skip(RowsPerQueue).ToList();
        return rest.Count == 0 ? null
            : $"… and {Plural.Of(rest.Count, "more batch")}, holding {CapacityText.Tokens(rest.Sum(b => b.QueuedTokens ?? 0))} (GET api/capacity lists every one).";
    }

    /// <summary>The bar's fill, 0 to 100 (a queue over its limit shows full).</summary>
    public static double Fill(ModelQueue queue) => Math.Min(100, 100 * (queue.Share ?? 0));
}
