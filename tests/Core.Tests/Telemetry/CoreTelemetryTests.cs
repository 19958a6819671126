using System.Diagnostics;
using System.Diagnostics.Metrics;
using BatchDashboard.Core.Telemetry;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Core.Tests.Telemetry;

/// <summary>
/// Core's instruments and spans as a listener sees them during a real sync cycle (a loopback upstream, a SQLite
/// cache): the cycle's span and duration, each API call by route and status class, and the batch counts once
/// something listens to them. The export itself is tested against a real OTLP receiver (EndToEnd.Tests, TelemetryTests).
/// </summary>
public sealed class CoreTelemetryTests : IAsyncLifetime
{
    private CoreHarness _harness = default!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _harness = await CoreHarness.StartAsync();

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task ASyncCycle_IsASpan_WithItsDuration_ItsApiCallsByRoute_AndTheBatchCounts()
    {
        _harness.Api.Add(TestBatches.Json("batch_running", "in_progress", total: 10, completed: 3, failed: 1));
        _harness.Api.Add(TestBatches.Json("batch_done", "completed", created: TestBatches.Created - 10));
        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == CoreTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            lock (measurements)
            {
                measurements.Add((instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy));
            }
        }

        meters.SetMeasurementEventCallback<long>(Record);
        meters.SetMeasurementEventCallback<double>(Record);
        meters.SetMeasurementEventCallback<int>(Record);
        meters.Start();
        var spans = new List<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CoreTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (spans) { spans.Add(activity); } },
        };
        ActivitySource.AddActivityListener(activities);

        // A connection id of its own: the listeners hear every test's syncs running in parallel in this process.
        var connection = TestClients.Connection(_harness.Connection.BaseUrl, id: "telemetry");
        await _harness.Syncer(connection: connection).RunCycleAsync(Token);
        meters.RecordObservableInstruments();

        List<(string Instrument, double Value, Dictionary<string, object?> Tags)> Ours(string name)
        {
            lock (measurements)
            {
                return [.. measurements.Where(m => m.Instrument == name && (!m.Tags.TryGetValue("connection", out var c) || (string?)c == "telemetry"))];
            }
        }

        Assert.Contains(Ours("batch_dashboard.sync.cycle.duration"), m => (string?)m.Tags["outcome"] == "success" && m.Value >= 0);
        Assert.Contains(Ours("batch_dashboard.api.calls"), m => (string?)m.Tags["route"] == "GET /batches" && (string?)m.Tags["status_class"] == "2xx");
        Assert.Contains(Ours("batch_dashboard.batches"), m => (string?)m.Tags["status"] == "in_progress" && m.Value == 1);
        Assert.Contains(Ours("batch_dashboard.requests.in_flight"), m => m.Value == 6);
        lock (spans)
        {
            var cycle = Assert.Single(spans, s => s.OperationName == "sync cycle" && (string?)s.GetTagItem("batch_dashboard.connection") == "telemetry");
            Assert.Equal(ActivityStatusCode.Unset, cycle.Status);
            Assert.DoesNotContain(cycle.Tags, tag => tag.Value?.Contains("sk-", StringComparison.Ordinal) == true);
        }
    }

    [Theory]
    [InlineData("https://api.openai.com/v1/batches/batch_abc123", "https://api.openai.com/v1", "GET /batches/{id}")]
    [InlineData("https://api.openai.com/v1/files/file-XYZ/content", "https://api.openai.com/v1", "GET /files/{id}/content")]
    [InlineData("https://r.openai.azure.com/openai/batches/batch_1/cancel?api-version=2024-10-21", "https://r.openai.azure.com/openai", "GET /batches/{id}/cancel")]
    public void AnApiCallsRoute_LeavesItsIdsOut(string url, string baseUrl, string route) =>
        Assert.Equal(route, CoreTelemetry.RouteOf(new HttpRequestMessage(HttpMethod.Get, url), new Uri(baseUrl)));
}
