using BatchDashboard.Core.Connections;
using BatchDashboard.Tokens;

namespace BatchDashboard.Core.Capacity;

/// <summary>Where a queued-token limit comes from, in the order they are believed.</summary>
public enum LimitSource
{
    /// <summary><c>BatchDashboard:Capacity:Limits</c>.</summary>
    Configured,

    /// <summary>The message of a batch that failed with <c>token_limit_exceeded</c>.</summary>
    Learned,

    /// <summary>OpenAI's published figure for the configured usage tier.</summary>
    Published,
}

/// <summary>A model's queued-token limit on a connection, and where it comes from.</summary>
/// <param name="Model">The model name (or its start) the limit is given for.</param>
/// <param name="BatchId">For a learned limit, the batch that taught it.</param>
/// <param name="Tier">For a published limit, the usage tier.</param>
/// <param name="LearnedAt">For a learned limit, when that batch failed.</param>
public sealed record QueueLimit(long Tokens, LimitSource Source, string Model, string? BatchId = null, int? Tier = null, DateTimeOffset? LearnedAt = null);

/// <summary>A limit a failed batch taught, as the cache keeps it.</summary>
public sealed record LearnedLimit(string ConnectionId, string Model, long Tokens, string BatchId, DateTimeOffset LearnedAt);

/// <summary>
/// Chooses a model's limit: a configured one first, then the newest a failed batch taught, then OpenAI's published
/// figure for the configured tier (OpenAI connections only: Azure's quotas are per deployment, and other providers
/// publish none). An entry names a model and covers its dated versions (<see cref="ModelNames.Covers"/>).
/// </summary>
public static class QueueLimits
{
    public static QueueLimit? For(ApiConnection connection, string model, CapacityOptions options, IEnumerable<LearnedLimit> learned)
    {
        var configured = options.Limits
            .Where(l => (l.Connection is null || l.Connection == connection.Id) && ModelNames.Covers(l.Model, model))
            .OrderByDescending(l => l.Model.Length).ThenByDescending(l => l.Connection is not null)
            .FirstOrDefault();
        if (configured is not null)
        {
            return new QueueLimit(configured.Tokens, LimitSource.Configured, configured.Model);
        }

        var taught = learned.Where(l => l.ConnectionId == connection.Id && ModelNames.Covers(ModelNames.Base(l.Model), model))
            .OrderByDescending(l => l.Model.Length).ThenByDescending(l => l.LearnedAt).FirstOrDefault();
        if (taught is not null)
        {
            return new QueueLimit(taught.Tokens, LimitSource.Learned, taught.Model, taught.BatchId, LearnedAt: taught.LearnedAt);
        }

        var tier = connection.IsDemo ? options.Tier ?? CapacityOptions.DemoTier : connection.Kind == ConnectionKind.OpenAI ? options.Tier : null;
        return tier is { } t && PublishedLimits.For(t, model) is { } published
            ? new QueueLimit(published.Tokens, LimitSource.Published, published.Model, Tier: t)
            : null;
    }
}
