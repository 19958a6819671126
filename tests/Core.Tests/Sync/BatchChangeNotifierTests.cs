using BatchDashboard.Core.Sync;
using Microsoft.Extensions.Logging.Abstractions;

namespace BatchDashboard.Core.Tests.Sync;

public sealed class BatchChangeNotifierTests
{
    private static readonly CacheChange Change = new("c", ["b"], [], SyncStateChanged: false);

    [Fact]
    public async Task Publish_DoesNotWaitForASlowSubscriber_NorStopAtAFailingOne()
    {
        var notifier = new BatchChangeNotifier(NullLogger<BatchChangeNotifier>.Instance);
        var neverDone = new TaskCompletionSource();
        var reached = new List<string>();
        using var slow = notifier.Subscribe(_ => { reached.Add("slow"); return neverDone.Task; });
        using var failing = notifier.Subscribe(_ => throw new InvalidOperationException("page gone"));
        using var failingLater = notifier.Subscribe(async _ => { await Task.Yield(); throw new InvalidOperationException("later"); });
        using var last = notifier.Subscribe(_ => { reached.Add("last"); return Task.CompletedTask; });

        var publish = notifier.PublishAsync(Change);

        Assert.True(publish.IsCompletedSuccessfully);
        Assert.Equal(["slow", "last"], reached);
        await publish;
    }

    [Fact]
    public async Task DisposedSubscription_IsNotCalledAgain()
    {
        var notifier = new BatchChangeNotifier(NullLogger<BatchChangeNotifier>.Instance);
        var calls = 0;
        var subscription = notifier.Subscribe(_ => { calls++; return Task.CompletedTask; });

        await notifier.PublishAsync(Change);
        subscription.Dispose();
        subscription.Dispose();
        await notifier.PublishAsync(Change);

        Assert.Equal(1, calls);
    }
}
