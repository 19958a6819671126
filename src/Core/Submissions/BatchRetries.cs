using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Results;

namespace BatchDashboard.Core.Submissions;

/// <summary>A retry submitted: the new batch, how many requests it holds, and how many could not be taken.</summary>
/// <param name="Skipped">Requests with the chosen outcomes whose input line is not in the local copy.</param>
public sealed record RetryResult(Batch Batch, int Requests, int Skipped);

/// <summary>
/// Why a retry was not submitted, in words meant for the person who asked (the batch is still running, nothing has
/// the chosen outcomes, the lines are gone, the file would be refused).
/// </summary>
public sealed class RetryRefusedException(string message) : InvalidOperationException(message);

/// <summary>
/// What a retry takes: the requests that ended with these error codes (<c>batch_expired</c> and <c>batch_cancelled</c>
/// for the ones never run), and the requests without a result when <paramref name="WithoutResult"/>.
/// </summary>
public sealed record RetryChoice(IReadOnlyCollection<string> ErrorCodes, bool WithoutResult = false)
{
    public bool IsEmpty => ErrorCodes.Count == 0 && !WithoutResult;

    /// <summary>What it takes, in words: "server_error, batch_expired, without a result".</summary>
    public string Describe() => string.Join(", ", WithoutResult ? [.. ErrorCodes, "without a result"] : ErrorCodes);

    /// <summary>Whether a request with this outcome and code is taken.</summary>
    public bool Takes(RequestOutcome outcome, string? errorCode) =>
        errorCode is { } code ? ErrorCodes.Contains(code) : outcome == RequestOutcome.NoResult && WithoutResult;
}

/// <summary>Which errors a retry is likely to get past, by their code: the answer the dialog starts from.</summary>
public static class RetryAdvice
{
    // Errors of the moment, not of the request: limits, the provider's own failures, time running out.
    private static readonly HashSet<string> Transient = new(StringComparer.OrdinalIgnoreCase)
    {
        "batch_expired", "batch_cancelled", "rate_limit_exceeded", "rate_limit_error", "tokens_exceeded", "server_error",
        "internal_error", "internal_server_error", "api_error", "service_unavailable", "overloaded", "overloaded_error",
        "engine_overloaded", "timeout", "request_timeout", "gateway_timeout", "bad_gateway",
    };

    /// <summary>
    /// True for an error a second attempt may not meet (a rate limit, a server error, a request never run); false for
    /// one the request itself caused (a 400 such as <c>invalid_value</c> or <c>context_length_exceeded</c>), which
    /// would fail again as sent, or a code this version does not know.
    /// </summary>
    public static bool LikelyToSucceed(string errorCode) =>
        Transient.Contains(errorCode)
        || errorCode.StartsWith("http_", StringComparison.Ordinal) && int.TryParse(errorCode.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture, out var status)
            && status is 408 or 409 or 429 or >= 500;
}

/// <summary>Reruns what did not succeed: a new batch of a batch's requests with the chosen error codes.</summary>
public interface IBatchRetries
{
    /// <summary>The metadata key a retry carries, naming the batch it reruns.</summary>
    const string RetryOfKey = "retry_of";

    /// <summary>
    /// Builds an input file of the batch's requests the choice takes (same custom_ids and bodies, in input order),
    /// checks it as an upload is checked, and submits it as a new batch on the same endpoint, with the parent's
    /// metadata and <c>retry_of</c> naming it.
    /// </summary>
    Task<RetryResult> RetryAsync(string connectionId, string batchId, RetryChoice choice, CancellationToken cancellationToken);
}

internal sealed class BatchRetries(IBatchQueries queries, IResultIndexing indexing, IResultQueries results, IBatchSubmissions submissions) : IBatchRetries
{
    // Every outcome but success; the choice then picks among them by code.
    private static readonly RequestOutcome[] Unsuccessful =
        [RequestOutcome.HttpError, RequestOutcome.OtherError, RequestOutcome.Expired, RequestOutcome.Cancelled, RequestOutcome.NoResult];

    public async Task<RetryResult> RetryAsync(string connectionId, string batchId, RetryChoice choice, CancellationToken cancellationToken)
    {
        if (choice.IsEmpty)
        {
            throw new RetryRefusedException("Choose what to retry: the errors, expired or cancelled requests, or those without a result.");
        }

        var parent = await queries.GetAsync(batchId, connectionId, cancellationToken)
            ?? throw new RetryRefusedException($"The batch {batchId} is not in the cache.");
        if (!parent.Batch.Status.IsTerminal)
        {
            throw new RetryRefusedException("The batch is still running; retry it once it has ended.");
        }

        var endpoint = parent.Batch.Endpoint ?? throw new RetryRefusedException("The batch names no endpoint, so a retry would not know where to go.");
        await indexing.IndexAsync(connectionId, batchId, cancellationToken);
        var path = Path.GetTempFileName();
        try
        {
            int written = 0, skipped = 0;
            await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            await using (var writer = new StreamWriter(file, new System.Text.UTF8Encoding(false)))
            {
                writer.NewLine = "\n";
                await foreach (var request in results.DetailsAsync(connectionId, batchId, new ResultFilter { Outcomes = Unsuccessful }, cancellationToken))
                {
                    if (!choice.Takes(request.Row.Outcome, request.Row.ErrorCode))
                    {
                        continue;
                    }

                    if (request.InputLine is { } line)
                    {
                        await writer.WriteLineAsync(line.AsMemory(), cancellationToken);
                        written++;
                    }
                    else
                    {
                        skipped++;
                    }
                }
            }

            if (written == 0)
            {
                throw new RetryRefusedException(skipped > 0
                    ? "The input lines of those requests are not available (the input file was not indexed before it expired)."
                    : "No request of the batch ended that way.");
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [IBatchRetries.RetryOfKey] = batchId };
            foreach (var (key, value) in parent.Batch.Metadata)
            {
                if (metadata.Count < BatchSubmission.MaxMetadataPairs && key != IBatchRetries.RetryOfKey)
                {
                    metadata[key] = value;
                }
            }

            // The same line checks as an upload on the new-batch page: a file the API would refuse is not sent.
            await using (var check = File.OpenRead(path))
            {
                var validation = await BatchInputValidator.ValidateAsync(check, endpoint, cancellationToken);
                if (!validation.IsValid)
                {
                    var first = validation.Problems[0];
                    throw new RetryRefusedException(
                        $"The retry's input file would be refused ({first.Code}{(first.Line is { } line ? $", line {line}" : "")}: {first.Message}), so it was not sent.");
                }
            }

            await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var batch = await submissions.CreateAsync(connectionId, input, $"retry-of-{batchId}.jsonl", new BatchSubmission(endpoint, metadata), null, cancellationToken);
            return new RetryResult(batch, written, skipped);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
