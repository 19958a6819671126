using System.Data.Common;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Results;
using BatchDashboard.Core.Submissions;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Dashboard.Components.Pages;

/// <summary>
/// A batch's requests, its input joined to its output and error files: the outcome of each, filtered and paged with
/// the state in the URL, one request's lines side by side, errors grouped by code, tokens and cost, and a retry of
/// what did not succeed. Opening the page indexes the files it has not read yet, with their progress shown live.
/// </summary>
public sealed partial class BatchResults : IDisposable
{
    public const int PageSize = 50;

    private readonly CancellationTokenSource _disposed = new();
    private bool _loaded;
    private string? _loadError;
    private CachedBatch? _cached;
    private ResultListQuery _query = new();
    private List<string> _problems = [];
    private IReadOnlyList<ResultFileStatus> _files = [];
    private ResultSummary? _summary;
    private CostEstimate? _cost;
    private IReadOnlyList<ResultRow> _rows = [];
    private long? _next;
    private ResultDetail? _request;
    private IReadOnlyList<ResultProblem> _lineProblems = [];
    private bool _retrying;
    private bool _confirmingRetry;
    private HashSet<RequestOutcome> _retryOutcomes = [];
    private IDisposable? _indexSubscription;
    private IDisposable? _cacheSubscription;

    [Parameter] public string Id { get; set; } = "";

    [SupplyParameterFromQuery(Name = "connection")] public string? ConnectionParameter { get; set; }
    [SupplyParameterFromQuery(Name = "outcome")] public string? OutcomeParameter { get; set; }
    [SupplyParameterFromQuery(Name = "code")] public string? CodeParameter { get; set; }
    [SupplyParameterFromQuery(Name = "q")] public string? TextParameter { get; set; }
    [SupplyParameterFromQuery(Name = "after")] public string? AfterParameter { get; set; }
    [SupplyParameterFromQuery(Name = "request")] public string? RequestParameter { get; set; }

    [Inject] private IBatchQueries Queries { get; set; } = default!;
    [Inject] private IResultQueries Results { get; set; } = default!;
    [Inject] private IResultIndexing Indexing { get; set; } = default!;
    [Inject] private Security.DashboardActions Actions { get; set; } = default!;
    [Inject] private IBatchChangeNotifications Changes { get; set; } = default!;
    [Inject] private IOptions<PricingOptions> Pricing { get; set; } = default!;
    [Inject] private ToastService Toasts { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private ILogger<BatchResults> Logger { get; set; } = default!;

    private Batch? Batch => _cached?.Batch;

    private string ConnectionId => _cached?.ConnectionId ?? _query.Connection ?? "";

    private bool Indexed => _files.Count > 0 && _files.All(f => f.State is ResultFileState.Indexed or ResultFileState.ExpiredUpstream);

    private bool Indexing_ => _files.Any(f => f.State is ResultFileState.Indexing or ResultFileState.Waiting);

    private int Retriable => _summary is null ? 0 : OutcomeDisplay.Retriable.Sum(o => _summary.Outcomes.GetValueOrDefault(o));

    protected override void OnInitialized()
    {
        if (RendererInfo.IsInteractive)
        {
            _indexSubscription = Indexing.Subscribe(OnIndexProgressAsync);
            _cacheSubscription = Changes.Follow(OnCacheChangedAsync);
        }
    }

    /// <summary>Whether this person may retry (operator, not read-only); the server checks again on submit.</summary>
    private bool _mayRetry;

    protected override async Task OnParametersSetAsync()
    {
        _mayRetry = await Actions.CanAsync(Security.DashboardAction.Retry);
        var values = new Dictionary<string, string?>
        {
            ["connection"] = ConnectionParameter, ["outcome"] = OutcomeParameter, ["code"] = CodeParameter, ["q"] = TextParameter,
            ["after"] = AfterParameter, ["request"] = RequestParameter,
        };
        _query = ResultListQuery.Parse(name => values.GetValueOrDefault(name), out _problems);
        await LoadAsync();
        if (RendererInfo.IsInteractive && _cached is not null && NeedsIndexing())
        {
            Indexing.Request(_cached.ConnectionId, Id);
        }
    }

    /// <summary>A file of the batch the index has not read (or whose reading was cut short).</summary>
    private bool NeedsIndexing()
    {
        var ids = new[] { Batch?.InputFileId, Batch?.OutputFileId, Batch?.ErrorFileId }.Count(id => id is not null);
        return _files.Count < ids || _files.Any(f => f.State is ResultFileState.Waiting or ResultFileState.Indexing && Indexing.GetProgress(ConnectionId, Id) is null);
    }

    private async Task LoadAsync()
    {
        try
        {
            _cached = await Queries.GetAsync(Id, _query.Connection, _disposed.Token);
            if (_cached is { } cached)
            {
                _files = Indexing.GetProgress(cached.ConnectionId, Id)?.Files ?? await Results.GetFilesAsync(cached.ConnectionId, Id, _disposed.Token);
                _summary = await Results.SummarizeAsync(cached.ConnectionId, Id, _disposed.Token);
                _cost = Pricing.Value.Estimate(cached.Batch.Model ?? _summary.Model, _summary.Tokens);
                var page = await Results.ListAsync(cached.ConnectionId, Id, _query.ToFilter(), _query.After, PageSize, _disposed.Token);
                (_rows, _next) = (page.Items, page.NextCursor);
                _request = _query.Request is { } customId ? await Results.GetAsync(cached.ConnectionId, Id, customId, _disposed.Token) : null;
                _lineProblems = await Results.GetProblemsAsync(cached.ConnectionId, Id, 20, _disposed.Token);
            }

            _loadError = null;
        }
        catch (DbException ex)
        {
            Logger.LogError(ex, "Reading the results of batch {BatchId} from the cache failed", Id);
            _loadError = "The cache database did not answer; the error is in the server log.";
        }

        _loaded = true;
    }

    private string Link(ResultListQuery query) => DashboardUrls.BatchResults(Id, query with { Connection = ConnectionId.Length > 0 ? ConnectionId : null });

    private string DetailLink => DashboardUrls.Batch(Id, ConnectionId);

    private string ApiLink(string path, ResultListQuery? query = null) =>
        DashboardUrls.ResultsApi(Id, path, (query ?? new ResultListQuery()) with { Connection = ConnectionId });

    private string FileLink(ResultFileKind kind) => DashboardUrls.ResultFile(Id, kind, ConnectionId);

    private void Set(Func<ResultListQuery, ResultListQuery> change) => Navigation.NavigateTo(Link(change(_query) with { After = null, Request = null }));

    private static string? Value(ChangeEventArgs e) => e.Value?.ToString() is { Length: > 0 } text ? text : null;

    private void IndexAgain() => Indexing.Request(ConnectionId, Id);

    private void AskToRetry()
    {
        _retryOutcomes = [.. OutcomeDisplay.Retriable.Where(o => _summary?.Outcomes.GetValueOrDefault(o) > 0 && o != RequestOutcome.NoResult)];
        _confirmingRetry = true;
    }

    private void ToggleRetry(RequestOutcome outcome, bool on)
    {
        if (on)
        {
            _retryOutcomes.Add(outcome);
        }
        else
        {
            _retryOutcomes.Remove(outcome);
        }
    }

    private int RetryCount => _retryOutcomes.Sum(o => _summary?.Outcomes.GetValueOrDefault(o) ?? 0);

    private async Task RetryAsync()
    {
        _confirmingRetry = false;
        _retrying = true;
        try
        {
            var retry = await Actions.RetryAsync(ConnectionId, Id, [.. _retryOutcomes], _disposed.Token);
            Toasts.Show($"Retry submitted as {BatchRowViewModel.ShortIdOf(retry.Batch.Id)}, with {retry.Requests:N0} requests" +
                (retry.Skipped > 0 ? $" ({retry.Skipped:N0} left out: their input lines are not kept)." : "."), ToastTone.Success);
            Navigation.NavigateTo(DashboardUrls.Batch(retry.Batch.Id, ConnectionId));
        }
        catch (BatchApiException ex)
        {
            Toasts.Show($"The retry was not submitted. The API answered: {ex.Summary}", ToastTone.Error);
        }
        catch (Security.ActionRefusedException ex)
        {
            Toasts.Show($"The retry was not submitted: {ex.Message}", ToastTone.Error);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            Toasts.Show($"The retry was not submitted: {ex.Message}", ToastTone.Error);
        }
        finally
        {
            _retrying = false;
        }
    }

    private async Task OnIndexProgressAsync(ResultIndexProgress progress)
    {
        if (progress.BatchId != Id || (ConnectionId.Length > 0 && progress.ConnectionId != ConnectionId))
        {
            return;
        }

        await RunAsync(async () =>
        {
            if (progress.Running)
            {
                _files = progress.Files;
            }
            else
            {
                await LoadAsync();
            }
        });
    }

    private async Task OnCacheChangedAsync(CacheChanges changes)
    {
        if (!changes.Touches(ConnectionId, Id))
        {
            return;
        }

        // The batch moved (it may have ended, with its result files now named): read it, and index what is new.
        await RunAsync(async () =>
        {
            await LoadAsync();
            if (_cached is not null && NeedsIndexing())
            {
                Indexing.Request(_cached.ConnectionId, Id);
            }
        });
    }

    private async Task RunAsync(Func<Task> work)
    {
        try
        {
            await InvokeAsync(async () =>
            {
                await work();
                StateHasChanged();
            });
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The page was closed meanwhile.
        }
    }

    public void Dispose()
    {
        _indexSubscription?.Dispose();
        _cacheSubscription?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
