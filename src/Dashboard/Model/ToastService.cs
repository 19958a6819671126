namespace BatchDashboard.Dashboard.Model;

public enum ToastTone
{
    Info,
    Success,
    Error,
}

public sealed record Toast(long Id, string Text, ToastTone Tone);

/// <summary>
/// Short messages about what an action did ("Cancel requested: the API answered cancelling"), one list per circuit,
/// shown by the layout's toast host. Messages leave after a while; errors stay until dismissed.
/// </summary>
public sealed class ToastService(TimeProvider time) : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(8);

    private readonly Lock _gate = new();
    private readonly List<(Toast Toast, ITimer? Timer)> _toasts = [];
    private long _next;

    /// <summary>Raised on the thread that changed the list; the host marshals to its renderer.</summary>
    public event Action? Changed;

    public IReadOnlyList<Toast> Toasts
    {
        get { lock (_gate) { return [.. _toasts.Select(t => t.Toast)]; } }
    }

    public void Show(string text, ToastTone tone = ToastTone.Info)
    {
        lock (_gate)
        {
            var toast = new Toast(++_next, text, tone);
            var timer = tone == ToastTone.Error ? null : time.CreateTimer(_ => Dismiss(toast.Id), null, Lifetime, Timeout.InfiniteTimeSpan);
            _toasts.Add((toast, timer));
        }

        Changed?.Invoke();
    }

    public void Dismiss(long id)
    {
        lock (_gate)
        {
            var index = _toasts.FindIndex(t => t.Toast.Id == id);
            if (index < 0)
            {
                return;
            }

            _toasts[index].Timer?.Dispose();
            _toasts.RemoveAt(index);
        }

        Changed?.Invoke();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var (_, timer) in _toasts)
            {
                timer?.Dispose();
            }

            _toasts.Clear();
        }
    }
}
