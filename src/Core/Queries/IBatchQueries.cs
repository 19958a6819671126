using BatchDashboard.Core.Batches;
namespace BatchDashboard.Core.Queries;

/// <summary>What the pages and the JSON API read: always from the cache, never from the API.</summary>
public interface IBatchQueries
{
    Task<BatchListPage> ListAsync(BatchListRequest request, CancellationToken cancellationToken);

    /// <summary>One batch; when <paramref name="connectionId"/> is null, the batch of that id in any connection.</summary>
    Task<CachedBatch?> GetAsync(string batchId, string? connectionId, CancellationToken cancellationToken);

    /// <summary>The header figures for the batches the filter selects (its statuses aside, so each count can act as a filter).</summary>
    Task<BatchSummary> SummarizeAsync(BatchFilter filter, CancellationToken cancellationToken);

    Task<IReadOnlyList<BatchProgressPoint>> GetHistoryAsync(string connectionId, string batchId, CancellationToken cancellationToken);

    /// <summary>
    /// The distinct endpoints and models in the cache, for filter choices that narrow each other: the endpoints of
    /// batches of <paramref name="model"/> (every endpoint when null) and the models of batches on
    /// <paramref name="endpoint"/> (every model when null).
    /// </summary>
    Task<(IReadOnlyList<string> Endpoints, IReadOnlyList<string> Models)> GetFacetsAsync(string? endpoint, string? model, CancellationToken cancellationToken);
}
