using BatchDashboard.Core.Cache;

namespace BatchDashboard.Core.Tests.Cache;

/// <summary>Answers kept until the cache changes, and shared while they are read: many open pages, one query.</summary>
public sealed class GenerationMemoTests
{
    private readonly CacheGeneration _generation = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CallersAskingWhileARead_IsRunning_ShareIt()
    {
        var memo = new GenerationMemo<int>(_generation);
        var reads = 0;
        var release = new TaskCompletionSource<int>();

        var pages = Enumerable.Range(0, 50).Select(_ => memo.GetAsync("newest", _ => { reads++; return release.Task; }, Token)).ToList();
        release.SetResult(42);

        Assert.All(await Task.WhenAll(pages), answer => Assert.Equal(42, answer));
        Assert.Equal(1, reads);
    }

    [Fact]
    public async Task AnAnswer_IsKeptUntilTheCacheChanges()
    {
        var memo = new GenerationMemo<int>(_generation);
        var reads = 0;

        await memo.GetAsync("newest", _ => Task.FromResult(++reads), Token);
        await memo.GetAsync("newest", _ => Task.FromResult(++reads), Token);
        _generation.Advance();
        var after = await memo.GetAsync("newest", _ => Task.FromResult(++reads), Token);

        Assert.Equal(2, after);
    }

    [Fact]
    public async Task AFailedRead_IsNotKept()
    {
        var memo = new GenerationMemo<int>(_generation);

        await Assert.ThrowsAsync<InvalidOperationException>(() => memo.GetAsync("newest", _ => throw new InvalidOperationException("database locked"), Token));
        var again = await memo.GetAsync("newest", _ => Task.FromResult(7), Token);

        Assert.Equal(7, again);
    }

    [Fact]
    public async Task ACallerThatLeaves_DoesNotCancelTheReadOthersShare()
    {
        var memo = new GenerationMemo<int>(_generation);
        var release = new TaskCompletionSource<int>();
        using var leaving = new CancellationTokenSource();
        CancellationToken readToken = default;

        var first = memo.GetAsync("newest", token => { readToken = token; return release.Task; }, leaving.Token);
        var second = memo.GetAsync("newest", _ => Task.FromResult(-1), Token);
        await leaving.CancelAsync();
        release.SetResult(42);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(42, await second);
        Assert.False(readToken.CanBeCanceled);
    }
}
