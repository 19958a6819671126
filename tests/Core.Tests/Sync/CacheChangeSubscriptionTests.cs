using BatchDashboard.Core.Sync;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace BatchDashboard.Core.Tests.Sync;

/// <summary>How a page follows the cache: changes merged, at most one run per interval, one at a time, each run with only what is new.</summary>
public sealed class CacheChangeSubscriptionTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero));
    private readonly BatchChangeNotifier _notifier;

    public CacheChangeSubscriptionTests() => _notifier = new BatchChangeNotifier(NullLogger<BatchChangeNotifier>.Instance, _clock);

    private static CacheChange Changed(params string[] ids) => new("openai", ids, [], SyncStateChanged: false);

    [Fact]
    public async Task AFirstChange_ReachesThePageAtOnce()
    {
        var runs = new List<CacheChanges>();
        using var follow = _notifier.Follow(changes => { runs.Add(changes); return Task.CompletedTask; });

        await _notifier.PublishAsync(Changed("batch_a"));

        var run = Assert.Single(runs);
        Assert.True(run.Touches("openai", "batch_a"));
        Assert.False(run.Touches("azure", "batch_a"));
    }

    [Fact]
    public async Task ChangesDuringARun_AreMerged_IntoOneMoreRun_WithOnlyWhatIsNew()
    {
        var runs = new List<IReadOnlySet<string>>();
        var firstRun = new TaskCompletionSource();
        using var follow = _notifier.Follow(async changes =>
        {
            runs.Add(changes.BatchIds);
            if (runs.Count == 1)
            {
                await firstRun.Task;
            }
        });

        await _notifier.PublishAsync(Changed("batch_a"));
        await _notifier.PublishAsync(Changed("batch_b"));
        await _notifier.PublishAsync(new CacheChange("openai", [], ["batch_c"], SyncStateChanged: true));
        firstRun.SetResult();
        _clock.Advance(BatchChangeNotifier.FollowInterval);

        Assert.Equal(2, runs.Count);
        Assert.Equal(["batch_a"], runs[0]);
        // The second run holds the changes that came during the first, and not the first's again.
        Assert.Equal(["batch_b", "batch_c"], runs[1].Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ABurstOfChanges_IsOneRunPerInterval()
    {
        var runs = new List<CacheChanges>();
        using var follow = _notifier.Follow(changes => { runs.Add(changes); return Task.CompletedTask; });

        for (var i = 0; i < 100; i++)
        {
            await _notifier.PublishAsync(Changed($"batch_{i}"));
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Single(runs); // the first at once; the rest wait for the interval
        _clock.Advance(BatchChangeNotifier.FollowInterval);
        Assert.Equal(2, runs.Count);
        Assert.Equal(99, runs[1].BatchIds.Count);
        _clock.Advance(BatchChangeNotifier.FollowInterval * 4);
        Assert.Equal(2, runs.Count); // nothing more to hand over
    }

    [Fact]
    public async Task AFailingRun_DoesNotStopTheNext()
    {
        var runs = 0;
        using var follow = _notifier.Follow(_ => ++runs == 1 ? throw new InvalidOperationException("the page failed") : Task.CompletedTask);

        await _notifier.PublishAsync(Changed("batch_a"));
        _clock.Advance(BatchChangeNotifier.FollowInterval);
        await _notifier.PublishAsync(Changed("batch_b"));

        Assert.Equal(2, runs);
    }

    [Fact]
    public async Task AfterDispose_NothingMoreRuns()
    {
        var runs = 0;
        var follow = _notifier.Follow(_ => { runs++; return Task.CompletedTask; });
        await _notifier.PublishAsync(Changed("batch_a"));
        await _notifier.PublishAsync(Changed("batch_b")); // waits for the interval

        follow.Dispose();
        _clock.Advance(BatchChangeNotifier.FollowInterval * 2);
        await _notifier.PublishAsync(Changed("batch_c"));

        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task SyncStateMoves_AreSaidPerConnection()
    {
        CacheChanges? seen = null;
        using var follow = _notifier.Follow(changes => { seen = changes; return Task.CompletedTask; });

        await _notifier.PublishAsync(new CacheChange("azure", [], [], SyncStateChanged: true));

        Assert.True(seen!.SyncStateChanged("azure"));
        Assert.True(seen.SyncStateChanged());
        Assert.False(seen.SyncStateChanged("openai"));
        Assert.False(seen.HasBatches);
    }
}
