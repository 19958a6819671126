using System.Globalization;
using BatchDashboard.Core.Capacity;

namespace BatchDashboard.Dashboard.Api;

/// <summary>A model's queued-token limit, and where it comes from (<c>configured</c>, <c>learned</c> or <c>published</c>).</summary>
public sealed record QueueLimitResource(long Tokens, string Source, string Model, string? BatchId, int? Tier, DateTimeOffset? LearnedAt)
{
    public static QueueLimitResource? From(QueueLimit? limit) => limit is null ? null
        : new(limit.Tokens, limit.Source.ToString().ToLowerInvariant(), limit.Model, limit.BatchId, limit.Tier, limit.LearnedAt);
}

/// <param name="Tokens">Its input file's prompt tokens; null until counted.</param>
/// <param name="QueuedTokens">The share of them still to run.</param>
public sealed record QueuedBatchResource(string Id, string Status, long? Tokens, long? QueuedTokens, int Requests, int Done, DateTimeOffset? EstimatedEnd,
    bool Estimated, string? CountError);

/// <param name="Share">Queued tokens over the limit (above 1 when over it); null without a limit.</param>
/// <param name="UncountedBatches">Running batches whose tokens are not in <see cref="QueuedTokens"/> (their files not counted yet, or not countable).</param>
public sealed record ModelQueueResource(string Connection, string ConnectionName, string Model, long QueuedTokens, QueueLimitResource? Limit, double? Share,
    long? FreeTokens, int UncountedBatches, bool Estimated, IReadOnlyList<QueuedBatchResource> Batches);

public sealed record CapacityResource(DateTimeOffset At, IReadOnlyList<ModelQueueResource> Queues);

/// <param name="Verdict"><c>fits</c>, <c>fits_later</c> (about at <see cref="FitsAt"/>), <c>not_now</c>, <c>too_large</c> or <c>no_limit_known</c>.</param>
public sealed record CapacityFitResource(string Verdict, string Model, long Tokens, long QueuedTokens, QueueLimitResource? Limit, DateTimeOffset? FitsAt, int UncountedBatches);

/// <summary>
/// <c>GET /api/capacity</c>: per connection and model, the prompt tokens queued in running batches against the limit,
/// with the batches that hold them; <c>GET /api/capacity/fit?connection=&amp;model=&amp;tokens=</c>: whether that
/// many more would fit now, and if not about when. Read from the cache, like the pages.
/// </summary>
public static class CapacityApiEndpoints
{
    public static RouteGroupBuilder MapCapacityApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/capacity");
        api.MapGet("", GetAsync);
        api.MapGet("/fit", FitAsync);
        return api;
    }

    private static async Task<IResult> GetAsync(ICapacityQueries capacity, CancellationToken cancellationToken)
    {
        var report = await capacity.GetAsync(cancellationToken);
        return Results.Json(new CapacityResource(report.At, [.. report.Queues.Select(From)]), DashboardApiJson.Default.CapacityResource);
    }

    private static async Task<IResult> FitAsync(string? connection, string? model, string? tokens, ICapacityQueries capacity, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(connection))
        {
            problems.Add("connection is missing (a connection's id, such as 'openai')");
        }

        if (string.IsNullOrWhiteSpace(model))
        {
            problems.Add("model is missing (as the input file's lines name it)");
        }

        if (!long.TryParse(tokens, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            problems.Add($"tokens '{tokens}' must be a whole number of prompt tokens");
        }

        if (problems.Count > 0)
        {
            return Results.Json(ApiErrorDetail.For(400, "The query has values that cannot be used:", problems), DashboardApiJson.Default.ApiErrorResource, statusCode: 400);
        }

        var fit = await capacity.FitAsync(connection!, model!, count, cancellationToken);
        return Results.Json(new CapacityFitResource(VerdictName(fit.Verdict), fit.Model, fit.Tokens, fit.QueuedTokens, QueueLimitResource.From(fit.Limit), fit.FitsAt, fit.Uncounted),
            DashboardApiJson.Default.CapacityFitResource);
    }

    private static ModelQueueResource From(ModelQueue queue) => new(
        queue.ConnectionId, queue.ConnectionName, queue.Model, queue.QueuedTokens, QueueLimitResource.From(queue.Limit), queue.Share, queue.Free,
        queue.Uncounted, queue.Estimated,
        [.. queue.Batches.Select(b => new QueuedBatchResource(b.BatchId, b.Status.Name, b.Tokens, b.QueuedTokens, b.Requests, b.Done, b.EstimatedEnd, b.Estimated, b.CountError))]);

    internal static string VerdictName(FitVerdict verdict) => verdict switch
    {
        FitVerdict.Fits => "fits",
        FitVerdict.FitsLater => "fits_later",
        FitVerdict.NotNow => "not_now",
        FitVerdict.TooLarge => "too_large",
        _ => "no_limit_known",
    };
}
