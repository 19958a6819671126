using BatchDashboard.Core.Api;
using BatchDashboard.Core.Results;
using BatchDashboard.Core.Submissions;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Components.Controls;
using BatchDashboard.Dashboard.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace BatchDashboard.Dashboard.Components.Pages;

/// <summary>
/// A batch's requests, its input joined to its output and error files: the outcome of each, filtered and paged with
/// the state in the URL, one request's lines in a drawer beside the table (up and down step through the page,
/// Escape closes it), errors grouped by code, tokens and cost, and a retry of what did not succeed. Opening the page
/// indexes the files it has not read yet, with their progress shown live. What it shows is its view model's
/// (<see cref="ResultsViewModel"/>).
/// </summary>
public sealed partial class BatchResults : IDisposable
{
    private static readonly Dictionary<string, object> TableAttributes = new() { ["aria-label"] = "Requests" };

    private readonly CancellationTokenSource _disposed = new();
    private readonly Dictionary<string, ElementReference> _links = [];
    private string? _focusAfterRender;
    private bool _retrying;
    private bool _mayRetry;
    private IDisposable? _indexSubscription;
    private IDisposable? _cacheSubscription;

    [Parameter] public string Id { get; set; } = "";

    [SupplyParameterFromQuery(Name = "connection")] public string? ConnectionParameter { get; set; }
    [SupplyParameterFromQuery(Name = "outcome")] public string? OutcomeParameter { get; set; }
    [SupplyParameterFromQuery(Name = "code")] public string? CodeParameter { get; set; }
    [SupplyParameterFromQuery(Name = "q")] public string? TextParameter { get; set; }
    [SupplyParameterFromQuery(Name = "after")] public string? AfterParameter { get; set; }
    [SupplyParameterFromQuery(Name = "request")] public string? RequestParameter { get; set; }

    [Inject] private ILogger<BatchResults> Logger { get; set; } = default!;
    [Inject] private ResultsViewModel Model { get; set; } = default!;
    [Inject] private IResultIndexing Indexing { get; set; } = default!;
    [Inject] private Security.DashboardActions Actions { get; set; } = default!;
    [Inject] private IBatchChangeNotifications Changes { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    private List<BreadcrumbItem> Breadcrumbs =>
    [
        new("Batches", DashboardUrls.Batches()),
        new(BatchRowViewModel.ShortIdOf(Id), DashboardUrls.Batch(Id, Model.ConnectionId.Length > 0 ? Model.ConnectionId : null)),
        new("Results", href: null, disabled: true),
    ];

    protected override void OnInitialized()
    {
        if (RendererInfo.IsInteractive)
        {
            _indexSubscription = Indexing.Subscribe(OnIndexProgressAsync);
            _cacheSubscription = Changes.Follow(OnCacheChangedAsync);
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        Telemetry.DashboardTelemetry.TagBatch(Id);
        _mayRetry = await Actions.CanAsync(Security.DashboardAction.Retry);
        var values = new Dictionary<string, string?>
        {
            ["connection"] = ConnectionParameter, ["outcome"] = OutcomeParameter, ["code"] = CodeParameter, ["q"] = TextParameter,
            ["after"] = AfterParameter, ["request"] = RequestParameter,
        };
        var query = ResultListQuery.Parse(name => values.GetValueOrDefault(name), out var problems);
        var opened = query.Request is not null && query.Request != Model.Query.Request;
        await Model.LoadAsync(Id, query, problems, _disposed.Token);
        if (RendererInfo.IsInteractive && Model.Cached is not null && Model.NeedsIndexing())
        {
            Indexing.Request(Model.Cached.ConnectionId, Id);
        }

        if (opened && Model.Request is not null)
        {
            _focusAfterRender = query.Request;
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // The open request's row keeps the focus (so it is in view, and the arrows go on from it).
        if (_focusAfterRender is { } customId && _links.TryGetValue(customId, out var link))
        {
            _focusAfterRender = null;
            await link.FocusAsync();
        }
    }

    private string Link(ResultListQuery query) => DashboardUrls.BatchResults(Id, query with { Connection = Model.ConnectionId.Length > 0 ? Model.ConnectionId : null });

    private string ApiLink(string path, ResultListQuery? query = null) =>
        DashboardUrls.ResultsApi(Id, path, (query ?? new ResultListQuery()) with { Connection = Model.ConnectionId });

    private string FileLink(ResultFileKind kind) => DashboardUrls.ResultFile(Id, kind, Model.ConnectionId);

    /// <summary>A filter changed: the first page, no request open; typing replaces the history entry.</summary>
    private void Set(Func<ResultListQuery, ResultListQuery> change, bool typing = false) =>
        Navigation.NavigateTo(Link(change(Model.Query) with { After = null, Request = null }), new NavigationOptions { ReplaceHistoryEntry = typing });

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private IReadOnlyList<FilterChip> OutcomeChips(ResultSummary summary) =>
    [
        .. OutcomeDisplay.All
            .Where(outcome => summary.Outcomes.GetValueOrDefault(outcome) > 0 || Model.Query.Outcomes.Contains(outcome))
            .Select(outcome => new FilterChip(
                OutcomeDisplay.Text(outcome), summary.Outcomes.GetValueOrDefault(outcome), OutcomeDisplay.CssClass(outcome), Model.Query.Outcomes.Contains(outcome),
                Link(Model.Query.ToggleOutcome(outcome)), OutcomeDisplay.Explanation(outcome),
                new Dictionary<string, object> { ["data-outcome"] = OutcomeDisplay.Name(outcome) })),
    ];

    private string? RowClass(ResultRow row, int index) => row.CustomId == Model.Query.Request ? "row-selected" : null;

    private void IndexAgain() => Indexing.Request(Model.ConnectionId, Id);

    /// <summary>Up and down open the request before or after the open one; Escape closes it.</summary>
    private void OnKey(KeyboardEventArgs e)
    {
        switch (e.Key)
        {
            case "ArrowDown" or "ArrowUp" when Model.Neighbour(e.Key == "ArrowDown" ? 1 : -1) is { } customId:
                Navigation.NavigateTo(Link(Model.Query with { Request = customId }), new NavigationOptions { ReplaceHistoryEntry = Model.Query.Request is not null });
                break;
            case "Escape" when Model.Query.Request is not null:
                CloseRequest();
                break;
        }
    }

    private void OnDrawerOpenChanged(bool open)
    {
        if (!open && Model.Query.Request is not null)
        {
            CloseRequest();
        }
    }

    private void CloseRequest()
    {
        _focusAfterRender = Model.Query.Request;
        Navigation.NavigateTo(Link(Model.Query with { Request = null }));
    }

    private async Task AskToRetryAsync()
    {
        var chosen = await RetryDialog.AskAsync(Dialogs, Model.Batch?.Endpoint, Model.RetryOptions, Model.CostPerRequest, Model.RetryFit());
        if (chosen is { IsEmpty: false })
        {
            await RetryAsync(chosen);
        }
    }

    private async Task RetryAsync(RetryChoice choice)
    {
        _retrying = true;
        try
        {
            var retry = await Actions.RetryAsync(Model.ConnectionId, Id, choice, _disposed.Token);
            Snackbar.Success($"Retry submitted as {BatchRowViewModel.ShortIdOf(retry.Batch.Id)}, with {Plural.Of(retry.Requests, "request")}" +
                (retry.Skipped > 0 ? $" ({retry.Skipped:N0} left out: their input lines are not kept)." : "."));
            Navigation.NavigateTo(DashboardUrls.Batch(retry.Batch.Id, Model.ConnectionId));
        }
        catch (BatchApiException ex)
        {
            Snackbar.Error($"The retry was not submitted. The API answered: {ex.Summary}");
        }
        catch (Security.ActionRefusedException ex)
        {
            Snackbar.Error($"The retry was not submitted: {ex.Message}");
        }
        catch (RetryRefusedException ex)
        {
            Snackbar.Error($"The retry was not submitted: {ex.Message}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // Not a refusal meant for a person: its text stays in the log.
            Logger.LogWarning(ex, "Retrying batch {BatchId} failed", Id);
            Snackbar.Error("The retry was not submitted: something went wrong on the server (its log says what). Nothing was sent.");
        }
        finally
        {
            _retrying = false;
        }
    }

    private async Task OnIndexProgressAsync(ResultIndexProgress progress)
    {
        if (progress.BatchId != Id || (Model.ConnectionId.Length > 0 && progress.ConnectionId != Model.ConnectionId))
        {
            return;
        }

        await RunAsync(async () =>
        {
            if (progress.Running)
            {
                Model.Apply(progress);
            }
            else
            {
                await Model.ReloadAsync(_disposed.Token);
            }
        });
    }

    private async Task OnCacheChangedAsync(CacheChanges changes)
    {
        if (!changes.Touches(Model.ConnectionId, Id))
        {
            return;
        }

        // The batch moved (it may have ended, with its result files now named): read it, and index what is new.
        await RunAsync(async () =>
        {
            await Model.ReloadAsync(_disposed.Token);
            if (Model.Cached is not null && Model.NeedsIndexing())
            {
                Indexing.Request(Model.Cached.ConnectionId, Id);
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
