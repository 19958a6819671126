namespace BatchDashboard.Tests.Shared;

/// <summary>Real time until <see cref="Freeze"/>, then that instant for good: an upstream that stops moving, so a test can compare against it exactly.</summary>
public sealed class FreezableClock : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _frozenAt;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _frozenAt ?? System.GetUtcNow();
        }
    }

    public void Freeze()
    {
        lock (_gate)
        {
            _frozenAt ??= System.GetUtcNow();
        }
    }
}
