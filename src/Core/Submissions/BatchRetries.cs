using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Results;

namespace BatchDashboard.Core.Submissions;

/// <summary>A retry submitted: the new batch, how many requests it holds, and how many could not be taken.</summary>
/// <param name="Skipped">Requests with the chosen outcomes whose input line is not in the local copy.</param>
public sealed record RetryResult(Batch Batch, int Requests, int Skipped);

/// <summary>Reruns what did not succeed: a new batch of a batch's requests with the chosen outcomes.</summary>
public interface IBatchRetries
{
    /// <summary>The metadata key a retry carries, naming the batch it reruns.</summary>
    const string RetryOfKey = "retry_of";

    /// <summary>
    /// Builds an input file of the batch's requests with these outcomes (same custom_ids and bodies, in input order),
    /// submits it as a new batch on the same endpoint, with the parent's metadata and <c>retry_of</c> naming it.
    /// </summary>
    Task<RetryResult> RetryAsync(string connectionId, string batchId, IReadOnlyCollection<RequestOutcome> outcomes, CancellationToken cancellationToken);
}

internal sealed class BatchRetries(IBatchQueries queries, IResultIndexing indexing, IResultQueries results, IBatchSubmissions submissions) : IBatchRetries
{
    public async Task<RetryResult> RetryAsync(string connectionId, string batchId, IReadOnlyCollection<RequestOutcome> outcomes, CancellationToken cancellationToken)
    {
        if (outcomes.Count == 0 || outcomes.Contains(RequestOutcome.Succeeded))
        {
            throw new ArgumentException("Choose the outcomes to retry: failed, expired, cancelled or without a result.", nameof(outcomes));
        }

        var parent = await queries.GetAsync(batchId, connectionId, cancellationToken)
            ?? throw new InvalidOperationException($"The batch {batchId} is not in the cache.");
        if (!parent.Batch.Status.IsTerminal)
        {
            throw new InvalidOperationException("The batch is still running; retry it once it has ended.");
        }

        var endpoint = parent.Batch.Endpoint ?? throw new InvalidOperationException("The batch names no endpoint.");
        await indexing.IndexAsync(connectionId, batchId, cancellationToken);
        var path = Path.GetTempFileName();
        try
        {
            int written = 0, skipped = 0;
            await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            await using (var writer = new StreamWriter(file, new System.Text.UTF8Encoding(false)))
            {
                writer.NewLine = "\n";
                await foreach (var request in results.DetailsAsync(connectionId, batchId, new ResultFilter { Outcomes = outcomes }, cancellationToken))
                {
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
                throw new InvalidOperationException(skipped > 0
                    ? "The input lines of those requests are not available (the input file was not indexed before it expired)."
                    : "No request of the batch has those outcomes.");
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [IBatchRetries.RetryOfKey] = batchId };
            foreach (var (key, value) in parent.Batch.Metadata)
            {
                if (metadata.Count < BatchSubmission.MaxMetadataPairs && key != IBatchRetries.RetryOfKey)
                {
                    metadata[key] = value;
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
