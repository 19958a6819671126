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
/// Answers by key, kept until the cache's generation moves: the list's header counts and filter choices, which every
/// page view asks for and which change only when batches do. The generation is read before computing, so an answer
/// is never kept under a generation newer than the data it read. At most <paramref name="capacity"/> keys are kept.
/// </summary>
internal sealed class GenerationMemo<T>(CacheGeneration generation, int capacity = 256)
{
    private readonly Lock _gate = new();
    private Dictionary<string, T> _answers = new(StringComparer.Ordinal);
    private long _of = -1;

    public async Task<T> GetAsync(string key, Func<Task<T>> compute)
    {
        var current = generation.Current;
        lock (_gate)
        {
            if (_of == current && _answers.TryGetValue(key, out var kept))
            {
                return kept;
            }
        }

        var answer = await compute();
        lock (_gate)
        {
            if (current > _of)
            {
                _answers = new Dictionary<string, T>(StringComparer.Ordinal);
                _of = current;
            }

            if (current == _of && _answers.Count < capacity)
            {
                _answers[key] = answer;
            }
        }

        return answer;
    }
}
