using Microsoft.Extensions.Logging;

namespace BatchDashboard.Core.Events;

/// <summary>
/// Tells subscribers of an event: each handler runs up to its first await on the publisher's thread, and the
/// publisher never waits for the rest; a failing handler is logged and the others still run.
/// </summary>
internal sealed class Notifier<T>(ILogger logger)
{
    private readonly Lock _gate = new();
    private Func<T, Task>[] _handlers = [];

    public IDisposable Subscribe(Func<T, Task> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }

        return new Subscription(this, handler);
    }

    public void Publish(T value)
    {
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                var running = handler(value);
                if (!running.IsCompletedSuccessfully)
                {
                    _ = ObserveAsync(running);
                }
            }
#pragma warning disable CA1031 // A subscriber's failure must not reach the publisher.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogFailure(ex);
            }
        }
    }

    private async Task ObserveAsync(Task running)
    {
        try
        {
            await running;
        }
#pragma warning disable CA1031 // A subscriber's failure must not reach the publisher.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailure(ex);
        }
    }

    private void LogFailure(Exception ex) => logger.LogWarning(ex, "A {Event} subscriber failed", typeof(T).Name);

    private void Unsubscribe(Func<T, Task> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers.Where(h => h != handler)];
        }
    }

    private sealed class Subscription(Notifier<T> owner, Func<T, Task> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(handler);
            }
        }
    }
}
