using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace BatchDashboard.Core.Telemetry;

/// <summary>
/// What Core reports, in the OpenTelemetry way: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both
/// named <see cref="Name"/>, with instruments named <c>batch_dashboard.*</c> and their units. Nothing is spent
/// unless something listens (the standalone app's OpenTelemetry, when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, or a
/// host app's). Keys and secrets are never a tag: connections are named by their id.
/// </summary>
public static class CoreTelemetry
{
    public const string Name = "BatchDashboard.Core";

    /// <summary>The span attributes that name a connection and a batch, wherever a span is about one.</summary>
    public const string ConnectionAttribute = "batch_dashboard.connection", BatchIdAttribute = "batch_dashboard.batch.id";

    internal static readonly ActivitySource Source = new(Name);

    internal static readonly Meter Meter = new(Name);

    internal static readonly Histogram<double> SyncCycleDuration = Meter.CreateHistogram<double>(
        "batch_dashboard.sync.cycle.duration", "s", "How long a connection's sync cycle took, by outcome (success, failure).");

    internal static readonly Counter<long> ApiCalls = Meter.CreateCounter<long>(
        "batch_dashboard.api.calls", "{call}", "Calls to the batch API, each attempt counted, by route and status class (2xx, 4xx, 5xx, or error when none came).");

    internal static readonly Counter<long> ApiRetries = Meter.CreateCounter<long>(
        "batch_dashboard.api.retries", "{retry}", "Calls to the batch API tried again after a rate limit, a server error or a dropped connection.");

    internal static readonly Counter<long> ResultBytes = Meter.CreateCounter<long>(
        "batch_dashboard.results.indexed.bytes", "By", "Bytes of batch files read into the results index, by file kind (input, output, error).");

    internal static readonly Counter<long> ResultLines = Meter.CreateCounter<long>(
        "batch_dashboard.results.indexed.lines", "{line}", "Lines of batch files read into the results index, by file kind.");

    internal static readonly Histogram<double> ResultDuration = Meter.CreateHistogram<double>(
        "batch_dashboard.results.index.duration", "s", "How long reading one batch file into the results index took, by file kind and outcome.");

    /// <summary>Each connection's batches by status and its requests in flight, as the last sync cycle left them.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (IReadOnlyDictionary<string, int> ByStatus, long RequestsInFlight)> Counts = new();

    internal static readonly ObservableGauge<int> Batches = Meter.CreateObservableGauge(
        "batch_dashboard.batches", () => Counts.SelectMany(pair => pair.Value.ByStatus.Select(status => new Measurement<int>(status.Value,
            new KeyValuePair<string, object?>("connection", pair.Key), new KeyValuePair<string, object?>("status", status.Key)))),
        "{batch}", "Cached batches by connection and status, as of each connection's last sync cycle.");

    internal static readonly ObservableGauge<long> RequestsInFlight = Meter.CreateObservableGauge(
        "batch_dashboard.requests.in_flight", () => Counts.Select(pair => new Measurement<long>(pair.Value.RequestsInFlight,
            new KeyValuePair<string, object?>("connection", pair.Key))),
        "{request}", "Requests of running batches not yet completed or failed, by connection, as of its last sync cycle.");

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Imported = new();

    internal static readonly ObservableGauge<int> ImportedBatches = Meter.CreateObservableGauge(
        "batch_dashboard.sync.imported", () => Imported.Select(pair => new Measurement<int>(pair.Value, new KeyValuePair<string, object?>("connection", pair.Key))),
        "{batch}", "Batches a connection's first import has stored so far (its total once the import is done).");

    internal static void RecordImported(string connectionId, int imported) => Imported[connectionId] = imported;

    /// <summary>Something listens to the batch counts: a sync cycle then reads them (a few rows the triggers keep).</summary>
    internal static bool BatchesObserved => Batches.Enabled || RequestsInFlight.Enabled;

    internal static void RecordCounts(string connectionId, IReadOnlyDictionary<string, int> byStatus, long requestsInFlight) =>
        Counts[connectionId] = (byStatus, requestsInFlight);

    /// <summary>Starts a span (when something listens) for work on a connection, with its id as an attribute.</summary>
    internal static Activity? Start(string name, string connectionId, string? batchId = null)
    {
        var activity = Source.StartActivity(name);
        activity?.SetTag(ConnectionAttribute, connectionId);
        if (batchId is not null)
        {
            activity?.SetTag(BatchIdAttribute, batchId);
        }

        return activity;
    }

    /// <summary>Marks a span failed, with a message a person can act on (never an exception's text with secrets in it).</summary>
    internal static void Fail(Activity? activity, string description) => activity?.SetStatus(ActivityStatusCode.Error, description);

    /// <summary>The route of a batch API call without its ids, for a tag of few values: <c>GET /batches/{id}</c>.</summary>
    internal static string RouteOf(HttpRequestMessage request, Uri? baseUrl)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        var basePath = baseUrl?.AbsolutePath.TrimEnd('/') ?? "";
        if (basePath.Length > 0 && path.StartsWith(basePath, StringComparison.Ordinal))
        {
            path = path[basePath.Length..];
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(segment => segment is "batches" or "files" or "content" or "cancel" ? segment : "{id}");
        return $"{request.Method.Method} /{string.Join('/', segments)}";
    }

    internal static string StatusClass(HttpResponseMessage? response) => response is null ? "error" : $"{(int)response.StatusCode / 100}xx";
}
