namespace BatchDashboard.Core.Cache;

/// <summary>
/// A number that moves each time the cached batches change: the store moves it after each write that changed a
/// batch, and a follower after it reads another instance's writes. Answers computed from the batches alone are kept
/// until it moves (<see cref="GenerationMemo{T}"/>).
/// </summary>
internal sealed class CacheGeneration
{
    private long _value;

    public long Current => Volatile.Read(ref _value);

    public void Advance() => Interlocked.Increment(ref _value);
}

/// <summary>
/// Answers by key, kept until the cache's generation moves: the list's pages, header counts and filter choices, which
/// every open page asks for again after each change and which change only when batches do. Callers that ask for the
/// same key while its read is still running share that read, so fifty open pages reloading after a change run each
/// query once. The generation is read before computing, so an answer is never kept under a generation newer than the
/// data it read; a read that fails is not kept. At most <paramref name="capacity"/> keys are kept.
/// </summary>
internal sealed class GenerationMemo<T>(CacheGeneration generation, int capacity = 256)
{
    private readonly Lock _gate = new();
    private Dictionary<string, Task<T>> _answers = new(StringComparer.Ordinal);
    private long _of = -1;

    /// <param name="compute">Reads the answer. A shared read runs to its end even if the caller that started it leaves.</param>
    /// <param name="cancellationToken">Stops this caller's wait, not a read others share.</param>
    public Task<T> GetAsync(string key, Func<CancellationToken, Task<T>> compute, CancellationToken cancellationToken)
    {
        var current = generation.Current;
        TaskCompletionSource<T>? mine = null;
        Task<T>? shared;
        lock (_gate)
        {
            if (current > _of)
            {
                _answers = new Dictionary<string, Task<T>>(StringComparer.Ordinal);
                _of = current;
            }

            if (current < _of || (!_answers.TryGetValue(key, out shared) && _answers.Count >= capacity))
            {
                shared = null; // an older generation's read, or no room: this caller reads alone
            }
            else if (shared is null)
            {
                mine = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
                shared = mine.Task;
                _answers[key] = shared;
            }
        }

        if (shared is null)
        {
            return compute(cancellationToken);
        }

        if (mine is not null)
        {
            _ = FillAsync(mine, key, current, compute);
        }

        return shared.WaitAsync(cancellationToken);
    }

    private async Task FillAsync(TaskCompletionSource<T> answer, string key, long of, Func<CancellationToken, Task<T>> compute)
    {
        try
        {
            answer.SetResult(await compute(CancellationToken.None));
        }
#pragma warning disable CA1031 // Handed to every caller that shares the read.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lock (_gate)
            {
                if (_of == of && _answers.TryGetValue(key, out var kept) && kept == answer.Task)
                {
                    _answers.Remove(key); // the next caller reads again
                }
            }

            answer.SetException(ex);
        }
    }
}
