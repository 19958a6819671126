using System.Globalization;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;

namespace BatchDashboard.Dashboard.Model;

/// <summary>A condition worth a second look, as a short label with a longer explanation.</summary>
public sealed record FlagView(string Label, string Explanation);

/// <summary>One row of the batch list, shaped for display from a cached batch at a moment.</summary>
public sealed record BatchRowViewModel(
    string Id,
    string ShortId,
    string ConnectionId,
    BatchStatus Status,
    string Endpoint,
    string Model,
    DateTimeOffset? CreatedAt,
    string PhaseAge,
    RequestProgress Progress,
    string Requests,
    int Failed,
    IReadOnlyList<KeyValuePair<string, string>> Tags,
    IReadOnlyList<FlagView> Flags,
    string Href)
{
    public static BatchRowViewModel From(CachedBatch cached, DateTimeOffset now)
    {
        var batch = cached.Batch;
        var insights = BatchInsights.Of(batch, now);
        var progress = insights.Progress;
        return new BatchRowViewModel(
            batch.Id,
            ShortIdOf(batch.Id),
            cached.ConnectionId,
            batch.Status,
            batch.Endpoint ?? "—",
            batch.Model ?? "—",
            batch.CreatedAt,
            insights.CurrentPhase is { } phase && !batch.Status.IsTerminal ? RelativeTime.Duration(now - phase.Start) : "",
            progress,
            progress.Total > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{progress.Completed + progress.Failed:N0} / {progress.Total:N0}")
                : "—",
            progress.Failed,
            [.. batch.Metadata.Take(3)],
            FlagsOf(insights, now),
            DashboardUrls.Batch(batch.Id, cached.ConnectionId));
    }

    /// <summary>Enough of the id to tell batches apart: the prefix and the last eight characters.</summary>
    public static string ShortIdOf(string id) =>
        id.Length <= 20 ? id : $"{id[..6]}…{id[^8..]}";

    public static IReadOnlyList<FlagView> FlagsOf(BatchInsights insights, DateTimeOffset now)
    {
        var flags = new List<FlagView>();
        if (insights.Flags.HasFlag(BatchFlags.LongPhase) && insights.CurrentPhase is { } phase)
        {
            var duration = RelativeTime.Duration(now - phase.Start);
            flags.Add(new($"{StatusDisplay.Text(phase.Kind)} for {duration}", $"This batch has been {StatusDisplay.Text(phase.Kind)} for {duration}, longer than usual."));
        }

        if (insights.Flags.HasFlag(BatchFlags.ExpiringSoon) && insights.TimeToExpiry is { } left)
        {
            flags.Add(new($"expires in {RelativeTime.Duration(left)}", "Requests not finished when the 24-hour window ends are not run."));
        }

        if (insights.Flags.HasFlag(BatchFlags.CompletedAllFailed))
        {
            flags.Add(new("all failed", "The batch completed, but every request failed: see its error file."));
        }

        if (insights.Flags.HasFlag(BatchFlags.CompletedWithoutOutput) && !insights.Flags.HasFlag(BatchFlags.CompletedAllFailed))
        {
            flags.Add(new("no output", "The batch completed without an output file."));
        }

        if (insights.Flags.HasFlag(BatchFlags.CountsDoNotAddUp))
        {
            flags.Add(new("counts don't add up", $"{insights.Progress.Pending:N0} requests were neither completed nor failed (expired or cancelled)."));
        }

        return flags;
    }
}
