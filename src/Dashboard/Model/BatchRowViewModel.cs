using System.Globalization;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;

namespace BatchDashboard.Dashboard.Model;

/// <summary>How loud a flag is: an alarm (something is wrong), a warning (something will be), or a note.</summary>
public enum FlagTone
{
    Alarm,
    Warning,
    Note,
}

/// <summary>A condition worth a second look, as a short label with a longer explanation.</summary>
public sealed record FlagView(string Label, string Explanation, FlagTone Tone = FlagTone.Alarm);

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
    string? FirstError,
    string Href)
{
    public static BatchRowViewModel From(CachedBatch cached, DateTimeOffset now, BatchInsightOptions options)
    {
        var batch = cached.Batch;
        var insights = BatchInsights.Of(batch, now, options);
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
            FlagsOf(batch, insights, now, options),
            FirstErrorOf(batch),
            DashboardUrls.Batch(batch.Id, cached.ConnectionId));
    }

    /// <summary>Enough of the id to tell batches apart: the prefix and the last eight characters.</summary>
    public static string ShortIdOf(string id) =>
        id.Length <= 20 ? id : $"{id[..6]}…{id[^8..]}";

    /// <summary>A batch's first error (why it failed validation, say), as "code: message", so the list says why without a click.</summary>
    public static string? FirstErrorOf(Batch batch)
    {
        if (batch.Errors.FirstOrDefault() is not { } error)
        {
            return null;
        }

        var text = string.Join(": ", new[] { error.Code, error.Message }.Where(part => !string.IsNullOrWhiteSpace(part)));
        return text.Length == 0 ? null
            : error.Line is { } line ? string.Create(CultureInfo.InvariantCulture, $"{text} (line {line})")
            : text;
    }

    public static IReadOnlyList<FlagView> FlagsOf(Batch batch, BatchInsights insights, DateTimeOffset now, BatchInsightOptions options)
    {
        var flags = new List<FlagView>();
        var progress = insights.Progress;
        if (insights.Flags.HasFlag(BatchFlags.LongPhase) && insights.CurrentPhase is { } phase)
        {
            var duration = RelativeTime.Duration(now - phase.Start);
            flags.Add(new($"{StatusDisplay.Text(phase.Kind)} for {duration}", $"This batch has been {StatusDisplay.Text(phase.Kind)} for {duration}, longer than usual."));
        }

        if (insights.Flags.HasFlag(BatchFlags.ExpiringSoon) && insights.TimeToExpiry is { } left)
        {
            flags.Add(new($"expires in {RelativeTime.Duration(left)}", "Requests not finished when the 24-hour window ends are not run.", FlagTone.Warning));
        }

        if (insights.Flags.HasFlag(BatchFlags.CompletedAllFailed))
        {
            flags.Add(new("all failed", "The batch completed, but every request failed: see its error file."));
        }
        else if (insights.Flags.HasFlag(BatchFlags.HighFailureRate))
        {
            var finished = progress.Completed + progress.Failed;
            flags.Add(new(
                $"{Share.Format(progress.Failed, finished)} failed",
                string.Create(CultureInfo.InvariantCulture,
                    $"{Plural.Of(progress.Failed, "request")} of the {finished:N0} finished failed, more than the {Share.Format((long)Math.Round(options.FailureRate * 1000), 1000)} that flags a batch.")));
        }

        if (insights.Flags.HasFlag(BatchFlags.CompletedWithoutOutput) && !insights.Flags.HasFlag(BatchFlags.CompletedAllFailed))
        {
            flags.Add(new("no output", "The batch completed without an output file."));
        }

        if (insights.Flags.HasFlag(BatchFlags.NotRun))
        {
            var why = batch.Status.Kind switch
            {
                BatchStatusKind.Expired => "before the 24-hour window ended",
                BatchStatusKind.Cancelled => "before the batch was cancelled",
                _ => "before the batch failed",
            };
            flags.Add(new(
                string.Create(CultureInfo.InvariantCulture, $"{progress.Pending:N0} not run"),
                $"{Plural.Of(progress.Pending, "request")} {(progress.Pending == 1 ? "was" : "were")} not run {why}. Its results page retries them.",
                FlagTone.Note));
        }

        if (insights.Flags.HasFlag(BatchFlags.CountsDoNotAddUp))
        {
            flags.Add(new("counts don't add up", string.Create(CultureInfo.InvariantCulture,
                $"The API counts {progress.Completed:N0} completed and {progress.Failed:N0} failed of {Plural.Of(progress.Total, "request")}, and the batch ended {StatusDisplay.Text(batch.Status)}: the numbers do not match.")));
        }

        return flags;
    }
}
