using System.Data.Common;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Insights;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Results;
using BatchDashboard.Core.Submissions;
using BatchDashboard.Core.Sync;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// What a batch's page shows: the batch as cached, its phases and pace, its history for the chart, the retries made
/// of it, and its connection's sync state (a failing sync, or a batch not confirmed for a while). One per circuit
/// (scoped), read by the page; what moves with the clock is derived again on <see cref="Tick"/>.
/// </summary>
public sealed class BatchDetailViewModel(
    IBatchQueries queries,
    IResultQueries results,
    IInsightQueries insightQueries,
    IConnectionCatalog connections,
    ISyncStatusProvider sync,
    IOptions<SyncOptions> syncOptions,
    IOptions<BatchInsightOptions> flags,
    TimeProvider time,
    ILogger<BatchDetailViewModel> logger)
{
    public string Id { get; private set; } = "";

    public string? Connection { get; private set; }

    /// <summary>Whether the cache has been read (false while the first read runs).</summary>
    public bool Loaded { get; private set; }

    /// <summary>Why the cache could not be read, or null.</summary>
    public string? LoadError { get; private set; }

    public CachedBatch? Cached { get; private set; }

    public BatchInsights? Insights { get; private set; }

    public IReadOnlyList<BatchProgressPoint> History { get; private set; } = [];

    public IReadOnlyList<CachedBatch> Retries { get; private set; } = [];

    public ProgressProjection Projection { get; private set; } = ProgressProjection.None;

    /// <summary>How batches like this one went lately (read while it runs), and its end estimated from that and its pace.</summary>
    public SimilarBatches? Similar { get; private set; }

    public EndEstimate Estimate { get; private set; } = EndEstimate.None;

    public string RawJson { get; private set; } = "";

    /// <summary>The model the input file names, for a batch whose provider reported none (read once by the results index).</summary>
    public string? ModelFromInput { get; private set; }

    /// <summary>
    /// The batch reports no model and its input file has not been read for one yet: the page asks the results index
    /// to read it (once; the index keeps what it found).
    /// </summary>
    public bool NeedsInputModel => Cached is { Batch: { Model: null, InputFileId: not null } } && ModelFromInput is null && ConnectionInfo is not null;

    /// <summary>The model as the page says it: reported, read from the input file (and said so), or not reported.</summary>
    public string ModelText => Cached?.Batch switch
    {
        null => "",
        { Model: { } model } => model,
        _ when ModelFromInput is { } named => $"{named} (from its input file)",
        { Status.IsTerminal: true } => "not reported",
        _ => "not reported yet",
    };

    public ConnectionSyncStatus? Sync { get; private set; }

    public DateTimeOffset Now { get; private set; }

    public bool Running => Cached is { } cached && !cached.Batch.Status.IsTerminal;

    /// <summary>The batch's connection, or null when it is no longer configured (the batch can then only be shown).</summary>
    public ConnectionInfo? ConnectionInfo => Cached is { } cached && connections.Find(cached.ConnectionId) is { } c ? new ConnectionInfo(c.Id, c.Name) : null;

    /// <summary>
    /// Why the batch never ran a request (it ended before it was in progress: refused at validation, or cancelled
    /// while validating), for the page to lead with instead of empty charts; null for a batch that ran or runs.
    /// </summary>
    public string? NeverRan => Cached?.Batch is { Status.IsTerminal: true, InProgressAt: null } batch
        ? batch.Status.Kind switch
        {
            BatchStatusKind.Failed when RefusedForCapacity => "The API refused this batch because its model's queue of prompt tokens was full "
                + "(token_limit_exceeded, below), so none of its requests ran. The file itself is fine: send it again once running batches have "
                + "done enough (Capacity shows when), or split it.",
            BatchStatusKind.Failed => batch.Errors.Count > 0
                ? $"The API refused this batch's input file at validation ({Plural.Of(batch.Errors.Count, "problem")}, below), so none of its requests ran. Fix the file and send it again as a new batch."
                : "The API refused this batch at validation, so none of its requests ran.",
            BatchStatusKind.Cancelled => "This batch was cancelled while it was validating, so none of its requests ran.",
            BatchStatusKind.Expired => "This batch expired before any of its requests ran.",
            _ => "This batch ended before any of its requests ran.",
        }
        : null;

    /// <summary>Refused only because its model's queued-token limit was reached (<c>token_limit_exceeded</c>): nothing in its file to fix.</summary>
    public bool RefusedForCapacity => Cached?.Batch is { } batch && TokenLimitFailure.Is(batch);

    /// <summary>A batch the API refused at validation, with an input file to load on the new-batch page and fix.</summary>
    public bool CanFixAndResend => NeverRan is not null && Cached?.Batch is { Status.Kind: BatchStatusKind.Failed, InputFileId: not null } && ConnectionInfo is not null;

    /// <summary>What the page says when there are no token figures: still to come, or never reported.</summary>
    public string UsageMissing => Running
        ? "Token usage is reported when the batch ends."
        : "The provider did not report token usage for this batch (OpenAI reports it for batches created since September 2025).";

    /// <summary>The batch this one reruns, when it is a retry.</summary>
    public string? RetryOf => Cached?.Batch.Metadata.GetValueOrDefault(IBatchRetries.RetryOfKey);

    /// <summary>The API would take a cancel: the batch is validating or in progress, and its connection configured.</summary>
    public bool Cancellable => Cached is { Batch.Status.Kind: BatchStatusKind.Validating or BatchStatusKind.InProgress } && ConnectionInfo is not null;

    /// <summary>A running batch the sync has not confirmed for several of its poll intervals: its figures may be behind.</summary>
    public bool IsStale => Running && Sync is { Phase: SyncPhase.Polling, LastSuccessAt: { } at }
        && Now - at > (syncOptions.Value.ActivePollInterval * 3) + TimeSpan.FromSeconds(30);

    public string Title => Cached is { } cached
        ? $"{BatchRowViewModel.ShortIdOf(cached.Batch.Id)} ({StatusDisplay.Text(cached.Batch.Status)})"
        : Loaded ? "Batch not found" : "Batch";

    public IReadOnlyList<FlagView> Flags => Insights is { } insights && Cached is { } cached ? BatchRowViewModel.FlagsOf(cached.Batch, insights, Now, flags.Value) : [];

    /// <summary>The throughput's basis, said beside its figure.</summary>
    public string ThroughputBasis => PaceBasis(Projection, Running) is { } basis ? ", " + basis : "";

    /// <summary>What a pace was measured over, in words: "last 4 min", "since it went in progress", "average".</summary>
    public static string? PaceBasis(ProgressProjection projection, bool running) => projection switch
    {
        { Basis: Core.Batches.ThroughputBasis.Recent, Span: { } span } => $"last {RelativeTime.Duration(span)}",
        { Basis: Core.Batches.ThroughputBasis.Average } => running ? "since it went in progress" : "average",
        _ => null,
    };

    /// <summary>What the estimated end rests on: "from its pace (62% done) and 42 similar batches".</summary>
    public string EstimateBasis => Estimate switch
    {
        { Basis: Core.Insights.EstimateBasis.PaceAndHistory, Similar: { } similar } =>
            $"from its pace ({Estimate.PaceWeight:0%} done) and {Plural.Of(similar.Count, "similar batch")}",
        { Basis: Core.Insights.EstimateBasis.History, Similar: { } similar } => $"from how {Plural.Of(similar.Count, "similar batch")} went",
        { Basis: Core.Insights.EstimateBasis.Pace } => "at its pace; no similar batch completed lately",
        _ => "",
    };

    /// <summary>
    /// How sure the estimate is, from batches like this one: how long they took, or how long the phase it is in
    /// usually lasts. Null when none completed lately.
    /// </summary>
    public string? HistoryText
    {
        get
        {
            if (Similar is not { } similar || Cached is not { Batch: var batch })
            {
                return null;
            }

            var like = $"{Plural.Of(similar.Count, "similar batch")} ({(similar.SameSize ? "same model, endpoint and size" : "same model and endpoint, any size")}, "
                + $"last {(int)SimilarBatches.Lookback.TotalDays} days)";
            var few = similar.Count < SimilarBatches.EnoughOfSameSize ? " Few to go on: a rough guide." : "";
            static string Span(PhaseSpread spread) => spread.Low == spread.High
                ? RelativeTime.Duration(spread.Median ?? TimeSpan.Zero)
                : $"{RelativeTime.Duration(spread.Low ?? TimeSpan.Zero)} to {RelativeTime.Duration(spread.High ?? TimeSpan.Zero)}";
            return batch.Status.Kind switch
            {
                BatchStatusKind.Validating when similar.Validating.Count > 0 => $"Validating usually takes {Span(similar.Validating)} here: {like}.{few}",
                BatchStatusKind.Finalizing when similar.Finalizing.Count > 0 => $"Finalizing usually takes {Span(similar.Finalizing)} here: {like}.{few}",
                _ when similar.Turnaround.Count > 0 =>
                    $"{char.ToUpperInvariant(like[0])}{like[1..]} finished in {Span(similar.Turnaround)}."
                    + (Estimate.PastUsual ? " This one has run longer than nine in ten of them." : "") + few,
                _ => null,
            };
        }
    }

    /// <summary>Why a running batch has no estimated end, in its phase's words.</summary>
    public string NoEstimate => Cached?.Batch.Status.Kind switch
    {
        BatchStatusKind.InProgress => "not enough progress yet",
        BatchStatusKind.Validating => "once validation ends",
        BatchStatusKind.Finalizing => "every request has run; the result files are being written",
        BatchStatusKind.Cancelling => "being cancelled: pending requests will not run",
        _ => "—",
    };

    /// <summary>Reads the batch <paramref name="id"/> (of <paramref name="connection"/>, when given) from the cache.</summary>
    public async Task LoadAsync(string id, string? connection, CancellationToken cancellationToken)
    {
        Id = id;
        Connection = connection;
        await ReloadAsync(cancellationToken);
    }

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        try
        {
            Cached = await queries.GetAsync(Id, Connection, cancellationToken);
            History = Cached is null ? [] : await queries.GetHistoryAsync(Cached.ConnectionId, Cached.Batch.Id, cancellationToken);
            Retries = Cached is null ? [] : (await queries.ListAsync(new BatchListRequest
            {
                Filter = new BatchFilter { ConnectionId = Cached.ConnectionId, MetadataKey = IBatchRetries.RetryOfKey, MetadataValue = Cached.Batch.Id },
                PageSize = 20,
            }, cancellationToken)).Items;
            Similar = Cached is { Batch.Status.IsTerminal: false } running
                ? await insightQueries.GetSimilarAsync(running.ConnectionId, running.Batch, cancellationToken)
                : null;
            ModelFromInput = Cached is { Batch: { Model: null, InputFileId: not null } }
                ? await results.GetInputModelAsync(Cached.ConnectionId, Cached.Batch.Id, cancellationToken)
                : null;
            LoadError = null;
        }
        catch (DbException ex)
        {
            logger.LogError(ex, "Reading batch {BatchId} from the cache failed", Id);
            LoadError = "The cache database did not answer. The error is in the server log; the dashboard keeps running.";
        }

        Loaded = true;
        RawJson = Cached is null ? "" : JsonText.Pretty(Cached.Batch.RawJson);
        Tick();
    }

    /// <summary>Everything that moves with the clock: phases, countdown, pace and the sync state.</summary>
    public void Tick()
    {
        Now = time.GetUtcNow();
        if (Cached is not { } cached)
        {
            Insights = null;
            return;
        }

        Insights = BatchInsights.Of(cached.Batch, Now, flags.Value);
        Projection = ProgressProjection.Of(cached.Batch, Insights, History, Now);
        Estimate = EndEstimate.Of(cached.Batch, Insights, Projection, Similar, Now);
        Sync = sync.GetAll().FirstOrDefault(s => s.ConnectionId == cached.ConnectionId);
    }

    /// <summary>Whether <paramref name="changes"/> touch this batch (read it again) or only its connection's sync state (tick).</summary>
    public (bool Batch, bool Sync) Concerns(CacheChanges changes) =>
        (Cached is null ? changes.BatchIds.Contains(Id) : changes.Touches(Cached.ConnectionId, Id),
         Cached is not null && changes.SyncStateChanged(Cached.ConnectionId));
}
