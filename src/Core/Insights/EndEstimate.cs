using BatchDashboard.Core.Batches;

namespace BatchDashboard.Core.Insights;

/// <summary>What a running batch's estimated end rests on.</summary>
public enum EstimateBasis
{
    None,

    /// <summary>Its own pace alone: nothing like it completed lately.</summary>
    Pace,

    /// <summary>How similar batches went alone: it has no pace yet (validating, just started, finalizing).</summary>
    History,

    /// <summary>Both, its own pace weighing more the further it has come.</summary>
    PaceAndHistory,
}

/// <summary>
/// A running batch's estimated end, blending its own pace (<see cref="ProgressProjection"/>) with how similar batches
/// went (<see cref="SimilarBatches"/>): at the start history decides, near the end its pace does (the weight of the
/// pace is the share of its requests done). Finalizing is judged by how long finalizing usually lasts.
/// </summary>
/// <param name="UsualFrom">When it would end if it took as long as the quickest tenth of similar batches did.</param>
/// <param name="UsualTo">When it would end if it took as long as nine in ten of them at most did.</param>
/// <param name="PastUsual">It has run longer than nine in ten similar batches took.</param>
public sealed record EndEstimate(DateTimeOffset? End, EstimateBasis Basis, double PaceWeight, SimilarBatches? Similar, DateTimeOffset? UsualFrom,
    DateTimeOffset? UsualTo, bool PastUsual)
{
    public static EndEstimate None { get; } = new(null, EstimateBasis.None, 0, null, null, null, false);

    public static EndEstimate Of(Batch batch, BatchInsights insights, ProgressProjection pace, SimilarBatches? similar, DateTimeOffset now)
    {
        if (batch.Status.IsTerminal || batch.Status.Kind == BatchStatusKind.Cancelling || batch.CreatedAt is not { } created)
        {
            return None with { Similar = similar };
        }

        DateTimeOffset? usualFrom = similar?.Turnaround.Low is { } low ? created + low : null;
        DateTimeOffset? usualTo = similar?.Turnaround.High is { } high ? created + high : null;
        var pastUsual = usualTo is { } latest && latest < now;

        DateTimeOffset? fromHistory = null;
        if (batch.Status.Kind == BatchStatusKind.Finalizing && insights.CurrentPhase is { } phase && similar?.Finalizing is { Median: { } typical } spread)
        {
            fromHistory = phase.Start + typical > now ? phase.Start + typical : phase.Start + spread.High > now ? phase.Start + spread.High : null;
        }
        else if (similar?.Turnaround.Median is { } median)
        {
            // Past the median, the slower ones' time; past that too, history has nothing to say.
            fromHistory = created + median > now ? created + median : usualTo > now ? usualTo : null;
        }

        var fromPace = pace.EstimatedEnd;
        var weight = Math.Clamp(insights.Progress.Fraction ?? 0, 0, 1);
        return (fromPace, fromHistory) switch
        {
            ({ } own, { } usual) => new(usual + ((own - usual) * weight), EstimateBasis.PaceAndHistory, weight, similar, usualFrom, usualTo, pastUsual),
            ({ } own, null) => new(own, EstimateBasis.Pace, 1, similar, usualFrom, usualTo, pastUsual),
            (null, { } usual) => new(usual, EstimateBasis.History, 0, similar, usualFrom, usualTo, pastUsual),
            _ => new(null, EstimateBasis.None, 0, similar, usualFrom, usualTo, pastUsual),
        };
    }
}
