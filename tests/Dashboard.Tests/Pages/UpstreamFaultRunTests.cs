using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Sync;
using BatchDashboard.Emulator;
using BatchDashboard.Emulator.Api;
using BatchDashboard.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Dashboard.Tests.Pages;

/// <summary>
/// The running app against an emulator that faults 30% of the sync's calls for two minutes (every kind: 429 with
/// <c>retry-after</c>, 500, malformed and truncated JSON, an HTML 502, dropped connections, answers slower than the
/// attempt timeout), while batches are created, run and cancelled upstream and pages are requested throughout.
/// <c>BD_FAULT_RUN_SECONDS</c> sets another length.
/// </summary>
public sealed class UpstreamFaultRunTests : IAsyncLifetime
{
        private static readonly FaultRule ThirtyPercent = new()
    {
        // The sync only reads; the batches this test creates upstream (POSTs) are another client's.
        Route = "GET /v1/*",
        RateLimitShare = 0.05,
        RetryAfterSeconds = 1,
        ServerErrorShare = 0.05,
        MalformedJsonShare = 0.04,
        TruncatedJsonShare = 0.04,
        HtmlErrorShare = 0.04,
        DropConnectionShare = 0.04,
        SlowAnswerShare = 0.04,
        SlowAnswerDelay = TimeSpan.FromSeconds(2), // twice the attempt timeout below
    };

    private readonly FreezableClock _upstreamClock = new();
    private EmulatorServer _emulator = default!;
    private DashboardAppFactory _app = default!;
    private int _pagesServed;
    private int _created;
    private int _cancelled;
    private readonly List<string> _pageFailures = [];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static TimeSpan RunLength =>
        int.TryParse(Environment.GetEnvironmentVariable("BD_FAULT_RUN_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromMinutes(2);

    public async ValueTask InitializeAsync()
    {
        _emulator = await EmulatorServer.StartAsync(
            new EmulatorOptions { Port = 0, ApiKey = "sk-test-key", SeedBatches = 240, Speed = 10, FailureRate = 0.05 }, _upstreamClock, Token);
        _app = new DashboardAppFactory()
            .WithUpstream(_emulator.BaseUrl)
            .WithSetting("BatchDashboard:Sync:ActivePollInterval", "00:00:00.500")
            .WithSetting("BatchDashboard:Sync:IdlePollInterval", "00:00:00.500")
            .WithSetting("BatchDashboard:Sync:ErrorRetryInterval", "00:00:00.500")
            .WithSetting("BatchDashboard:Api:BaseDelay", "00:00:00.050")
            .WithSetting("BatchDashboard:Api:MaxDelay", "00:00:00.500")
            .WithSetting("BatchDashboard:Api:MaxRetryAfter", "00:00:01")
            .WithSetting("BatchDashboard:Api:AttemptTimeout", "00:00:01")
            .WithSetting("BatchDashboard:Api:TotalTimeout", "00:00:20");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Fact(Timeout = 600_000)]
    public async Task ThroughMinutesOfThirtyPercentFaults_EveryPageIsServed_NoBatchRegresses_AndTwoCyclesAfterwardsTheCacheEqualsTheUpstream()
    {
        using var http = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling, TimeSpan.FromSeconds(60));
        var queries = _app.Services.GetRequiredService<IBatchQueries>();
        await using var watcher = RegressionWatcher.Start(_app.Services, queries);
        await watcher.CheckedOnceAsync();

        _emulator.Faults.Set([ThirtyPercent]);
        var started = TimeProvider.System.GetTimestamp();
        using (var run = CancellationTokenSource.CreateLinkedTokenSource(Token))
        {
            run.CancelAfter(RunLength);
            await Task.WhenAll(RequestPagesAsync(http, watcher, run.Token), CreateUpstreamBatchesAsync(run.Token));
        }

        var faulted = _emulator.Faults.Tally();
        var ran = TimeProvider.System.GetElapsedTime(started);

        // The faults end and the upstream stops moving; the cycle under way when they end counts as the first.
        using var cycles = new CycleCounter(_app.Services);
        _emulator.Faults.Set([]);
        _upstreamClock.Freeze();
        var last = await cycles.WaitForAsync(2, TimeSpan.FromSeconds(60));

        Assert.Equal(SyncPhase.Polling, last);
        var upstream = await UpstreamAsync();
        var cached = await RegressionWatcher.ReadAllAsync(queries, Token);
        Assert.Equal(
            upstream.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)),
            cached.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value.Shape)));

        await watcher.CheckedOnceAsync();
        Assert.Empty(watcher.Regressions);
        Assert.Empty(_pageFailures);
        // About ten a second are asked for, one at a time; a page that took seconds would show here.
        Assert.True(_pagesServed >= ran.TotalSeconds * 5, $"{_pagesServed} page requests in {ran}");
        Assert.True(watcher.StatusChanges >= ran.TotalSeconds / 2, $"only {watcher.StatusChanges} status changes seen in {ran}: the upstream should move");
        // The emulator deals 30 faults in every 100 matching calls, so the share is near exact over a run.
        var share = faulted.Faulted / (double)faulted.Requests;
        if (faulted.Requests >= 200)
        {
            Assert.InRange(share, 0.27, 0.33);
            Assert.All(Enum.GetValues<FaultKind>().Where(k => k != FaultKind.None), kind => Assert.True(faulted.Faults.GetValueOrDefault(kind) > 0, $"no {kind} drawn"));
        }

        Assert.DoesNotContain(_app.Logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal));

        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{ran.TotalSeconds:0} s of faults: {faulted.Faulted} of {faulted.Requests} sync calls faulted ({share:P1}: " +
            $"{string.Join(", ", faulted.Faults.OrderBy(f => f.Key).Select(f => $"{f.Key} {f.Value}"))}); " +
            $"{_pagesServed} page requests, all served; {watcher.Checks} cache reads after changes, {watcher.StatusChanges} status changes, " +
            $"no regression; {_created} batches created and {_cancelled} cancelled upstream; {cached.Count} batches cached, equal to the upstream two cycles after."));
    }

    /// <summary>About ten page requests a second, each answered from the cache: lists, a batch, its results, the JSON API, health.</summary>
    private async Task RequestPagesAsync(HttpClient http, RegressionWatcher watcher, CancellationToken run)
    {
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var random = new Random(7);
        try
        {
            for (var i = 0; await pace.WaitForNextTickAsync(run); i++)
            {
                var ids = watcher.KnownIds;
                var id = ids[random.Next(ids.Count)];
                var (path, mustContain) = (i % 8) switch
                {
                    0 => ("batches", "title=\"batch_"),
                    1 => ("batches?status=in_progress&status=validating&status=finalizing", "<html"),
                    2 => ("batches?sort=failures", "title=\"batch_"),
                    3 => ($"batches/{id}", id),
                    4 => ($"api/batches/{id}", id),
                    5 => ("api/batches?limit=50", "\"data\""),
                    6 => ($"batches/{id}/results", "<html"),
                    _ => ("healthz", "sync"),
                };
                using var response = await http.GetAsync(path, run);
                var body = await response.Content.ReadAsStringAsync(run);
                _pagesServed++;
                if (response.StatusCode != HttpStatusCode.OK || !body.Contains(mustContain, StringComparison.Ordinal))
                {
                    _pageFailures.Add($"GET /{path}: {(int)response.StatusCode}, {body[..Math.Min(body.Length, 300)]}");
                }
            }
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
        }
    }

    /// <summary>Another client of the account: a batch every two seconds, every fifth one cancelled while it runs.</summary>
    private async Task CreateUpstreamBatchesAsync(CancellationToken run)
    {
        var client = _app.Services.GetRequiredService<IBatchApiClientFactory>().Create(_app.Services.GetRequiredService<IConnectionCatalog>().Connections.Single());
        using var pace = new PeriodicTimer(TimeSpan.FromSeconds(2));
        var random = new Random(11);
        try
        {
            while (await pace.WaitForNextTickAsync(run))
            {
                var requests = random.Next(20, 400);
                var lines = new StringBuilder();
                for (var r = 0; r < requests; r++)
                {
                    lines.Append(CultureInfo.InvariantCulture, $$$"""{"custom_id":"r{{{r}}}","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say {{{r}}}"}]}}""").Append('\n');
                }

                using var content = new MemoryStream(Encoding.UTF8.GetBytes(lines.ToString()));
                var file = await client.UploadBatchFileAsync(content, $"fault-run-{_created}.jsonl", run);
                var batch = await client.CreateBatchAsync(new CreateBatchRequest { InputFileId = file.Id, Endpoint = "/v1/chat/completions" }, run);
                if (++_created % 5 == 0)
                {
                    await client.CancelBatchAsync(batch.Id, run);
                    _cancelled++;
                }
            }
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
        }
    }

    /// <summary>Every batch upstream, read without faults.</summary>
    private async Task<Dictionary<string, BatchShape>> UpstreamAsync() =>
        (await UpstreamListing.ReadAllAsync(_emulator.BaseUrl, _emulator.ApiKey, Token)).ToDictionary(
            batch => batch.GetProperty("id").GetString()!,
            batch =>
            {
                var counts = batch.GetProperty("request_counts");
                return new BatchShape(batch.GetProperty("status").GetString()!, counts.GetProperty("total").GetInt32(),
                    counts.GetProperty("completed").GetInt32(), counts.GetProperty("failed").GetInt32(),
                    batch.TryGetProperty("output_file_id", out var output) ? output.GetString() : null);
            },
            StringComparer.Ordinal);

    /// <summary>What the comparison with the upstream looks at.</summary>
    public sealed record BatchShape(string Status, int Total, int Completed, int Failed, string? OutputFileId);

    /// <summary>Counts sync cycles as they end (each announces its outcome), from the moment it is made.</summary>
    private sealed class CycleCounter : IDisposable
    {
        private readonly IDisposable _subscription;
        private readonly List<(int Count, TaskCompletionSource<SyncPhase> Done)> _waiters = [];
        private readonly Lock _gate = new();
        private int _ended;

        public CycleCounter(IServiceProvider services)
        {
            var sync = services.GetRequiredService<ISyncStatusProvider>();
            _subscription = services.GetRequiredService<IBatchChangeNotifications>().Subscribe(change =>
            {
                if (change.SyncStateChanged)
                {
                    var phase = sync.GetAll().Single().Phase;
                    lock (_gate)
                    {
                        _ended++;
                        foreach (var waiter in _waiters.Where(w => w.Count <= _ended))
                        {
                            waiter.Done.TrySetResult(phase);
                        }
                    }
                }

                return Task.CompletedTask;
            });
        }

        /// <summary>The outcome of the <paramref name="count"/>th cycle to end.</summary>
        public Task<SyncPhase> WaitForAsync(int count, TimeSpan timeout)
        {
            var done = new TaskCompletionSource<SyncPhase>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _waiters.Add((count, done));
            }

            return done.Task.WaitAsync(timeout);
        }

        public void Dispose() => _subscription.Dispose();
    }

    /// <summary>
    /// Reads the whole cache after every change the sync announces and compares each batch with what it held before:
    /// no batch leaves the cache, none moves to an earlier status or leaves a final one, no count goes down.
    /// </summary>
    private sealed class RegressionWatcher : IAsyncDisposable
    {
        private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        private readonly IBatchQueries _queries;
        private readonly IDisposable _subscription;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private Dictionary<string, (BatchShape Shape, int Rank, bool Terminal)> _last = [];
        private TaskCompletionSource _checked = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private RegressionWatcher(IServiceProvider services, IBatchQueries queries)
        {
            _queries = queries;
            _subscription = services.GetRequiredService<IBatchChangeNotifications>().Subscribe(change =>
            {
                _changed.Writer.TryWrite(true);
                return Task.CompletedTask;
            });
            _loop = Task.Run(LoopAsync);
        }

        public List<string> Regressions { get; } = [];

        public int Checks { get; private set; }

        public int StatusChanges { get; private set; }

        public IReadOnlyList<string> KnownIds { get; private set; } = [];

        public static RegressionWatcher Start(IServiceProvider services, IBatchQueries queries) => new(services, queries);

        /// <summary>Completes after the next whole read of the cache.</summary>
        public Task CheckedOnceAsync()
        {
            var next = _checked.Task;
            _changed.Writer.TryWrite(true);
            return next.WaitAsync(TimeSpan.FromSeconds(30));
        }

        public static async Task<Dictionary<string, (BatchShape Shape, int Rank, bool Terminal)>> ReadAllAsync(IBatchQueries queries, CancellationToken cancellationToken)
        {
            var all = new Dictionary<string, (BatchShape, int, bool)>(StringComparer.Ordinal);
            string? cursor = null;
            do
            {
                var page = await queries.ListAsync(new BatchListRequest { PageSize = 500, Cursor = cursor }, cancellationToken);
                foreach (var item in page.Items)
                {
                    var b = item.Batch;
                    all[b.Id] = (new BatchShape(b.Status.Name, b.RequestCounts?.Total ?? 0, b.RequestCounts?.Completed ?? 0, b.RequestCounts?.Failed ?? 0, b.OutputFileId),
                        b.Status.Rank, b.Status.IsTerminal);
                }

                cursor = page.NextCursor;
            }
            while (cursor is not null);

            return all;
        }

        private async Task LoopAsync()
        {
            try
            {
                while (await _changed.Reader.ReadAsync(_stop.Token))
                {
                    var now = await ReadAllAsync(_queries, _stop.Token);
                    foreach (var (id, before) in _last)
                    {
                        if (!now.TryGetValue(id, out var after))
                        {
                            Regressions.Add($"{id} left the cache");
                        }
                        else if (after.Rank < before.Rank || (before.Terminal && after.Shape.Status != before.Shape.Status)
                            || after.Shape.Completed < before.Shape.Completed || after.Shape.Failed < before.Shape.Failed)
                        {
                            Regressions.Add($"{id} went from {before.Shape} to {after.Shape}");
                        }
                        else if (after.Shape.Status != before.Shape.Status)
                        {
                            StatusChanges++;
                        }
                    }

                    _last = now;
                    KnownIds = [.. now.Keys];
                    Checks++;
                    Interlocked.Exchange(ref _checked, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            _subscription.Dispose();
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }
}
