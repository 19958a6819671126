using System.Globalization;
using System.Text.RegularExpressions;

namespace BatchDashboard.Core.Batches;

/// <summary>
/// A batch that failed with <c>token_limit_exceeded</c> says what its model's queued-token limit is: the capacity
/// view learns it from there (<c>Capacity.QueueLimits</c>), the cache keeping the newest per connection and model.
/// </summary>
public static partial class TokenLimitFailure
{
    /// <summary>Failed only because its model's queue was full: nothing in its input file to fix.</summary>
    public static bool Is(Batch batch) =>
        batch.Status.Kind == BatchStatusKind.Failed && batch.Errors.Count > 0 && batch.Errors.All(e => e.Code == "token_limit_exceeded");

    /// <summary>
    /// The limit a batch's failure names: <c>token_limit_exceeded</c> with "Enqueued token limit reached for MODEL in
    /// organization …. Limit: 2,000,000 enqueued tokens." Null for any other batch, or a message without a figure.
    /// </summary>
    public static (string Model, long Tokens, DateTimeOffset At)? LimitOf(Batch batch)
    {
        if (batch.Status.Kind != BatchStatusKind.Failed)
        {
            return null;
        }

        foreach (var error in batch.Errors)
        {
            if (error is not { Code: "token_limit_exceeded", Message: { } message } || LimitText().Match(message) is not { Success: true } limit)
            {
                continue;
            }

            var model = ModelText().Match(message) is { Success: true } named ? named.Groups["model"].Value : batch.Model;
            if (string.IsNullOrEmpty(model)
                || !long.TryParse(limit.Groups["tokens"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var tokens) || tokens <= 0)
            {
                continue;
            }

            return (model, tokens, batch.FailedAt ?? batch.CreatedAt ?? DateTimeOffset.UnixEpoch);
        }

        return null;
    }

    [GeneratedRegex(@"Limit:\s*(?<tokens>[\d,]+)\s+enqueued tokens", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LimitText();

    [GeneratedRegex(@"limit reached for (?<model>\S+) in ", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ModelText();
}
