using BatchDashboard.Core.Api;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Components.Controls;
using BatchDashboard.Dashboard.Model;
using BatchDashboard.Dashboard.Security;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace BatchDashboard.Dashboard.Components.Pages;

/// <summary>
/// One batch, as its view model (<see cref="BatchDetailViewModel"/>) reads it from the cache, kept current by the
/// cache's change notifications, its current phase and expiry countdown ticking. Refresh and cancel go to the API
/// through the audited actions, their answer shown as a snackbar.
/// </summary>
public sealed partial class BatchDetail : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private bool _busy;
    private bool _mayCancel;
    private bool _mayCreate;
    private MudButton? _cancelButton;
    private IDisposable? _subscription;
    private IDisposable? _indexSubscription;
    private ITimer? _ticker;

    [Parameter] public string Id { get; set; } = "";

    [SupplyParameterFromQuery(Name = "connection")] public string? Connection { get; set; }

    /// <summary>Set while prerendering, so a batch that is not cached answers 404.</summary>
    [CascadingParameter] private HttpContext? HttpContext { get; set; }

    [Inject] private BatchDetailViewModel Model { get; set; } = default!;
    [Inject] private DashboardActions Actions { get; set; } = default!;
    [Inject] private IBatchChangeNotifications Changes { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private Core.Results.IResultIndexing Indexing { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    private string ResultsLink => DashboardUrls.BatchResults(Id, new ResultListQuery { Connection = Model.Cached?.ConnectionId });

    private List<BreadcrumbItem> Breadcrumbs =>
    [
        new("Batches", DashboardUrls.Batches()),
        new(BatchRowViewModel.ShortIdOf(Id), href: null, disabled: true),
    ];

    protected override void OnInitialized()
    {
        if (RendererInfo.IsInteractive)
        {
            _subscription = Changes.Follow(OnCacheChangedAsync);
            _ticker = Time.CreateTimer(_ => _ = InvokeAsync(Tick), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        Telemetry.DashboardTelemetry.TagBatch(Id);
        _mayCancel = await Actions.CanAsync(DashboardAction.Cancel);
        _mayCreate = await Actions.CanAsync(DashboardAction.Create);
        await Model.LoadAsync(Id, Connection, _disposed.Token);
        ReadInputModel();
        if (Model is { Loaded: true, Cached: null, LoadError: null } && HttpContext is not null)
        {
            // While prerendering: answer 404 (the not-found page says the same as this one). The live page then
            // renders this state and shows the batch as soon as a sync brings it.
            Navigation.NotFound();
        }
    }

    private void Tick()
    {
        if (Model.Running)
        {
            Model.Tick();
            StateHasChanged();
        }
    }

    private Task ReloadAsync() => Model.ReloadAsync(_disposed.Token);

    /// <summary>No model reported: the results index reads the input file (once), and the page shows what it names.</summary>
    private void ReadInputModel()
    {
        if (RendererInfo.IsInteractive && _indexSubscription is null && Model is { NeedsInputModel: true, Cached: { } cached })
        {
            _indexSubscription = Indexing.Subscribe(OnIndexProgressAsync);
            Indexing.Request(cached.ConnectionId, cached.Batch.Id);
        }
    }

    /// <summary>The results index finished this batch's files: the input file's model, if it names one, is read.</summary>
    private Task OnIndexProgressAsync(Core.Results.ResultIndexProgress progress) =>
        progress.Running || progress.BatchId != Model.Cached?.Batch.Id || progress.ConnectionId != Model.Cached.ConnectionId
            ? Task.CompletedTask
            : InvokeAsync(async () =>
            {
                try
                {
                    await Model.ReloadAsync(_disposed.Token);
                    StateHasChanged();
                }
                catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
                {
                    // The page was closed while it reloaded.
                }
            });

    private Task RefreshAsync() => RunAsync("Refresh", async connectionId =>
    {
        var fresh = await Actions.RefreshAsync(connectionId, Id, _disposed.Token);
        return fresh is null
            ? ("The API no longer knows this batch; the cached copy is kept.", false)
            : ($"Refreshed from the API: {StatusDisplay.Text(fresh.Status)}.", true);
    });

    private async Task ConfirmCancelAsync()
    {
        if (Model is not { Cached: { } cached, Insights: { } insights })
        {
            return;
        }

        var confirmed = await ConfirmDialog.ConfirmAsync(Dialogs, "Cancel this batch?", CancelQuestion(cached.Batch, insights.Progress),
            "Cancel batch", "Keep it running", danger: true);
        if (confirmed)
        {
            await RunAsync("Cancel", async connectionId =>
            {
                var answer = await Actions.CancelAsync(connectionId, Id, _disposed.Token);
                return answer is null
                    ? ("The API no longer knows this batch, so it could not be cancelled.", false)
                    : ($"Cancel requested. The API answered: {StatusDisplay.Text(answer.Status)}.", true);
            });
        }
        else if (_cancelButton is not null)
        {
            // Back where the person was.
            await _cancelButton.FocusAsync();
        }
    }

    /// <summary>Runs an action against the API, turning its answer, or why it failed, into a snackbar.</summary>
    private async Task RunAsync(string action, Func<string, Task<(string Text, bool Done)>> run)
    {
        if (Model.Cached is not { } cached)
        {
            return;
        }

        _busy = true;
        try
        {
            var (text, done) = await run(cached.ConnectionId);
            if (done)
            {
                Snackbar.Success(text);
            }
            else
            {
                Snackbar.Error(text);
            }
        }
        catch (BatchApiException ex)
        {
            Snackbar.Error($"{action} failed. The API answered: {ex.Summary}");
        }
        catch (ActionRefusedException ex)
        {
            Snackbar.Error(ex.Message);
        }
        catch (ArgumentException)
        {
            Snackbar.Error($"{action} failed: the connection '{cached.ConnectionId}' is not configured any more.");
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            _busy = false;
        }

        await Model.ReloadAsync(_disposed.Token);
    }

    private async Task OnCacheChangedAsync(CacheChanges changes)
    {
        var (batch, sync) = Model.Concerns(changes);
        if (!batch && !sync)
        {
            return;
        }

        try
        {
            await InvokeAsync(async () =>
            {
                // A sync cycle that changed nothing of this batch moves only its sync state, which is in memory.
                if (batch)
                {
                    await Model.ReloadAsync(_disposed.Token);
                    ReadInputModel();
                }
                else
                {
                    Model.Tick();
                }

                StateHasChanged();
            });
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // The page was closed while it reloaded.
        }
    }

    public void Dispose()
    {
        _ticker?.Dispose();
        _subscription?.Dispose();
        _indexSubscription?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
