using System.Data.Common;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Submissions;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Model;
using BatchDashboard.Dashboard.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Dashboard.Components.Pages;

/// <summary>
/// One batch from the cache, kept current by the cache's change notifications, its current phase and expiry
/// countdown ticking. Refresh and cancel go to the API through Core, and their answer is shown as a toast.
/// </summary>
public sealed partial class BatchDetail : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private bool _loaded;
    private string? _loadError;
    private CachedBatch? _cached;
    private BatchInsights? _insights;
    private IReadOnlyList<BatchProgressPoint> _history = [];
    private IReadOnlyList<CachedBatch> _retries = [];
    private ProgressProjection _projection = ProgressProjection.None;
    private string _rawJson = "";
    private ConnectionSyncStatus? _sync;
    private DateTimeOffset _now;
    private bool _busy;
    private bool _confirming;
    private IDisposable? _subscription;
    private ITimer? _ticker;

    [Parameter] public string Id { get; set; } = "";

    [SupplyParameterFromQuery(Name = "connection")] public string? Connection { get; set; }

    /// <summary>Set while prerendering, so a batch that is not cached answers 404.</summary>
    [CascadingParameter] private HttpContext? HttpContext { get; set; }

    [Inject] private IBatchQueries Queries { get; set; } = default!;
    [Inject] private DashboardActions Actions { get; set; } = default!;
    [Inject] private IConnectionCatalog Connections { get; set; } = default!;
    [Inject] private IBatchChangeNotifications Changes { get; set; } = default!;
    [Inject] private ISyncStatusProvider Sync { get; set; } = default!;
    [Inject] private IOptions<SyncOptions> SyncOptions { get; set; } = default!;
    [Inject] private ToastService Toasts { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private ILogger<BatchDetail> Logger { get; set; } = default!;

    private string Title => _cached is { } cached
        ? $"{BatchRowViewModel.ShortIdOf(cached.Batch.Id)} ({StatusDisplay.Text(cached.Batch.Status)})"
        : _loaded ? "Batch not found" : "Batch";

    private bool Running => _cached is { } cached && !cached.Batch.Status.IsTerminal;

    private string ResultsLink => DashboardUrls.BatchResults(Id, new ResultListQuery { Connection = _cached?.ConnectionId });

    /// <summary>The batch this one reruns, when it is a retry.</summary>
    private string? RetryOf => _cached?.Batch.Metadata.GetValueOrDefault(IBatchRetries.RetryOfKey);

    private bool Cancellable => _mayCancel && _cached is { Batch.Status.Kind: BatchStatusKind.Validating or BatchStatusKind.InProgress } cached
        && Connections.Find(cached.ConnectionId) is not null;

    /// <summary>Whether this person may cancel (operator, not read-only); the server checks again on the click.</summary>
    private bool _mayCancel;

    /// <summary>A running batch the sync has not confirmed for several of its poll intervals: its figures may be behind.</summary>
    private bool IsStale => Running && _sync is { Phase: SyncPhase.Polling, LastSuccessAt: { } at }
        && _now - at > (SyncOptions.Value.ActivePollInterval * 3) + TimeSpan.FromSeconds(30);

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
        _confirming = false;
        _mayCancel = await Actions.CanAsync(DashboardAction.Cancel);
        await LoadAsync();
        if (_loaded && _cached is null && _loadError is null && HttpContext is not null)
        {
            // While prerendering: answer 404 (the not-found page says the same as this one). The live page then
            // renders this state and shows the batch as soon as a sync brings it.
            Navigation.NotFound();
        }
    }

    private async Task LoadAsync()
    {
        try
        {
            _cached = await Queries.GetAsync(Id, Connection, _disposed.Token);
            _history = _cached is null ? [] : await Queries.GetHistoryAsync(_cached.ConnectionId, _cached.Batch.Id, _disposed.Token);
            _retries = _cached is null ? [] : (await Queries.ListAsync(new BatchListRequest
            {
                Filter = new BatchFilter { ConnectionId = _cached.ConnectionId, MetadataKey = IBatchRetries.RetryOfKey, MetadataValue = _cached.Batch.Id },
                PageSize = 20,
            }, _disposed.Token)).Items;
            _loadError = null;
        }
        catch (DbException ex)
        {
            Logger.LogError(ex, "Reading batch {BatchId} from the cache failed", Id);
            _loadError = "The cache database did not answer. The error is in the server log; the dashboard keeps running.";
        }

        _loaded = true;
        _rawJson = _cached is null ? "" : JsonText.Pretty(_cached.Batch.RawJson);
        Derive();
    }

    /// <summary>Everything that moves with the clock: phases, countdown, pace and the sync state.</summary>
    private void Derive()
    {
        _now = Time.GetUtcNow();
        if (_cached is not { } cached)
        {
            _insights = null;
            return;
        }

        _insights = BatchInsights.Of(cached.Batch, _now);
        _projection = ProgressProjection.Of(cached.Batch, _insights, _history, _now);
        _sync = Sync.GetAll().FirstOrDefault(s => s.ConnectionId == cached.ConnectionId);
    }

    private void Tick()
    {
        if (Running)
        {
            Derive();
            StateHasChanged();
        }
    }

    private Task ReloadAsync() => LoadAsync();

    private Task RefreshAsync() => RunAsync("Refresh", async connectionId =>
    {
        var fresh = await Actions.RefreshAsync(connectionId, Id, _disposed.Token);
        return fresh is null
            ? ("The API no longer knows this batch; the cached copy is kept.", ToastTone.Error)
            : ($"Refreshed from the API: {StatusDisplay.Text(fresh.Status)}.", ToastTone.Success);
    });

    private Task CancelAsync()
    {
        _confirming = false;
        return RunAsync("Cancel", async connectionId =>
        {
            var answer = await Actions.CancelAsync(connectionId, Id, _disposed.Token);
            return answer is null
                ? ("The API no longer knows this batch, so it could not be cancelled.", ToastTone.Error)
                : ($"Cancel requested. The API answered: {StatusDisplay.Text(answer.Status)}.", ToastTone.Success);
        });
    }

    /// <summary>Runs an action against the API, turning its answer, or why it failed, into a toast.</summary>
    private async Task RunAsync(string action, Func<string, Task<(string Text, ToastTone Tone)>> run)
    {
        if (_cached is not { } cached)
        {
            return;
        }

        _busy = true;
        try
        {
            var (text, tone) = await run(cached.ConnectionId);
            Toasts.Show(text, tone);
        }
        catch (BatchApiException ex)
        {
            Toasts.Show($"{action} failed. The API answered: {ex.Summary}", ToastTone.Error);
        }
        catch (ActionRefusedException ex)
        {
            Toasts.Show(ex.Message, ToastTone.Error);
        }
        catch (ArgumentException)
        {
            Toasts.Show($"{action} failed: the connection '{cached.ConnectionId}' is not configured any more.", ToastTone.Error);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            _busy = false;
        }

        await LoadAsync();
    }

    private async Task OnCacheChangedAsync(CacheChanges changes)
    {
        var thisBatch = _cached is null ? changes.BatchIds.Contains(Id) : changes.Touches(_cached.ConnectionId, Id);
        var thisSync = _cached is not null && changes.SyncStateChanged(_cached.ConnectionId);
        if (!thisBatch && !thisSync)
        {
            return;
        }

        try
        {
            await InvokeAsync(async () =>
            {
                // A sync cycle that changed nothing of this batch moves only its sync state, which is in memory.
                if (thisBatch)
                {
                    await LoadAsync();
                }
                else
                {
                    Derive();
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
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
