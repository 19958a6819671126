using System.Data.Common;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Capacity;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Results;
using BatchDashboard.Core.Submissions;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// What a batch's results page shows for a <see cref="ResultListQuery"/>: the batch, its files and their indexing,
/// the outcomes, tokens and cost, errors by code, a page of requests, and the open request's lines with the requests
/// before and after it on the page (for stepping with the keyboard). One per circuit (scoped), read by the page.
/// </summary>
public sealed class ResultsViewModel(
    IBatchQueries queries,
    IResultQueries results,
    IResultIndexing indexing,
    IOptions<PricingOptions> pricing,
    ICapacityQueries capacity,
    IInputTokenCounting counting,
    ILogger<ResultsViewModel> logger)
{
    public const int PageSize = 50;

    public string Id { get; private set; } = "";

    public ResultListQuery Query { get; private set; } = new();

    public IReadOnlyList<string> Problems { get; private set; } = [];

    public bool Loaded { get; private set; }

    public string? LoadError { get; private set; }

    public CachedBatch? Cached { get; private set; }

    public Batch? Batch => Cached?.Batch;

    public IReadOnlyList<ResultFileStatus> Files { get; private set; } = [];

    public ResultSummary? Summary { get; private set; }

    public CostEstimate? Cost { get; private set; }

    public IReadOnlyList<ResultRow> Rows { get; private set; } = [];

    public long? Next { get; private set; }

    /// <summary>The open request's lines (its custom_id is <see cref="ResultListQuery.Request"/>), or null.</summary>
    public ResultDetail? Request { get; private set; }

    /// <summary>The open request read for its endpoint (messages, reply, error, facts), shaped once per request read.</summary>
    public RequestView? RequestReadable
    {
        get
        {
            if (Request is not { } request)
            {
                return null;
            }

            if (_readable is not { } kept || !ReferenceEquals(kept.Source, request))
            {
                _readable = kept = (request, RequestView.From(request.InputLine, request.ResultLine));
            }

            return kept.View;
        }
    }

    private (ResultDetail Source, RequestView View)? _readable;

    public IReadOnlyList<ResultProblem> LineProblems { get; private set; } = [];

    public string ConnectionId => Cached?.ConnectionId ?? Query.Connection ?? "";

    public bool Indexed => Files.Count > 0 && Files.All(f => f.State is ResultFileState.Indexed or ResultFileState.ExpiredUpstream);

    public bool Indexing => Files.Any(f => f.State is ResultFileState.Indexing or ResultFileState.Waiting);

    /// <summary>Requests a retry can run again: every one that did not succeed.</summary>
    public int Retriable => Summary is null ? 0 : OutcomeDisplay.Retriable.Sum(o => Summary.Outcomes.GetValueOrDefault(o));

    /// <summary>
    /// What a retry can take, for its dialog: each error code with its count (those likely to succeed again ticked
    /// to start with; those the request itself caused, which would fail again as sent, not), and the requests without
    /// a result.
    /// </summary>
    public IReadOnlyList<RetryOption> RetryOptions
    {
        get
        {
            if (Summary is null)
            {
                return [];
            }

            var options = Summary.Errors
                .Select(e => new RetryOption(e.Code, RetryOption.LabelOf(e.Code), e.Count, e.ExampleMessage, RetryAdvice.LikelyToSucceed(e.Code)))
                .OrderByDescending(o => o.StartsChosen).ThenByDescending(o => o.Count)
                .ToList();
            if (Summary.Outcomes.GetValueOrDefault(RequestOutcome.NoResult) is > 0 and var missing)
            {
                options.Add(new RetryOption(null, "without a result", missing, "In the input file, in no result file.", false));
            }

            return options;
        }
    }

    /// <summary>
    /// What one request of this batch cost on average (the estimate over the requests with tokens), to price a retry;
    /// null when nothing was measured.
    /// </summary>
    /// <summary>
    /// For the retry dialog: whether that many of this batch's requests would fit their model's queue now, at the
    /// input file's average prompt tokens per request (the file counted once, when first asked). Null when the batch's
    /// model or its file's tokens are unknown.
    /// </summary>
    public Func<int, CancellationToken, Task<CapacityFit?>> RetryFit()
    {
        var (cached, model) = (Cached, Batch?.Model);
        Task<InputTokenCount?>? count = null;
        return async (requests, cancellationToken) =>
        {
            if (cached is null)
            {
                return null;
            }

            try
            {
                var tokens = await (count ??= counting.CountBatchAsync(cached.ConnectionId, cached.Batch.Id, CancellationToken.None));
                if (tokens is not { Requests: > 0 } || (model ?? tokens.Model) is not { } name)
                {
                    return null;
                }

                var share = (long)Math.Round((double)tokens.Tokens * requests / tokens.Requests);
                return await capacity.FitAsync(cached.ConnectionId, name, share, cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidOperationException or DbException or IOException)
            {
                logger.LogWarning(ex, "Checking whether a retry of batch {BatchId} fits its model's queue failed", cached.Batch.Id);
                return null;
            }
        };
    }

    public decimal? CostPerRequest => Cost is { } cost && Summary?.Outcomes.GetValueOrDefault(RequestOutcome.Succeeded) is > 0 and var succeeded
        ? cost.BatchPrice / succeeded
        : null;

    public async Task LoadAsync(string id, ResultListQuery query, IReadOnlyList<string> problems, CancellationToken cancellationToken)
    {
        Id = id;
        Query = query;
        Problems = problems;
        await ReloadAsync(cancellationToken);
    }

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        try
        {
            Cached = await queries.GetAsync(Id, Query.Connection, cancellationToken);
            if (Cached is { } cached)
            {
                Files = indexing.GetProgress(cached.ConnectionId, Id)?.Files ?? await results.GetFilesAsync(cached.ConnectionId, Id, cancellationToken);
                Summary = await results.SummarizeAsync(cached.ConnectionId, Id, cancellationToken);
                Cost = pricing.Value.Estimate(cached.Batch.Model ?? Summary.Model, Summary.Tokens);
                var page = await results.ListAsync(cached.ConnectionId, Id, Query.ToFilter(), Query.After, PageSize, cancellationToken);
                (Rows, Next) = (page.Items, page.NextCursor);
                Request = Query.Request is { } customId ? await results.GetAsync(cached.ConnectionId, Id, customId, cancellationToken) : null;
                LineProblems = await results.GetProblemsAsync(cached.ConnectionId, Id, 20, cancellationToken);
            }

            LoadError = null;
        }
        catch (DbException ex)
        {
            logger.LogError(ex, "Reading the results of batch {BatchId} from the cache failed", Id);
            LoadError = "The cache database did not answer; the error is in the server log.";
        }

        Loaded = true;
    }

    /// <summary>Index progress: the files' states while it runs.</summary>
    public void Apply(ResultIndexProgress progress) => Files = progress.Files;

    /// <summary>A file of the batch the index has not read (or whose reading was cut short).</summary>
    public bool NeedsIndexing()
    {
        var ids = new[] { Batch?.InputFileId, Batch?.OutputFileId, Batch?.ErrorFileId }.Count(id => id is not null);
        return Files.Count < ids || Files.Any(f => f.State is ResultFileState.Waiting or ResultFileState.Indexing && indexing.GetProgress(ConnectionId, Id) is null);
    }

    /// <summary>The request <paramref name="step"/> rows from the open one on this page (or the first row, with none open); null past either end.</summary>
    public string? Neighbour(int step)
    {
        if (Rows.Count == 0)
        {
            return null;
        }

        var index = -1;
        for (var i = 0; i < Rows.Count; i++)
        {
            if (Rows[i].CustomId == Query.Request)
            {
                index = i;
                break;
            }
        }

        var target = index < 0 ? 0 : index + step;
        return target >= 0 && target < Rows.Count ? Rows[target].CustomId : null;
    }
}
