using BatchDashboard.Core.Api;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Capacity;
using BatchDashboard.Core.Sync;
using Microsoft.Extensions.Logging;

namespace BatchDashboard.Core.Submissions;

/// <summary>Sends a new batch: its input file, then the batch made of it.</summary>
public interface IBatchSubmissions
{
    /// <summary>
    /// Uploads the input file (purpose <c>batch</c>) and creates a batch of it, then stores the API's answer so the
    /// pages show it at once. Neither step is retried: both create something. Settings the API would refuse
    /// (<see cref="BatchSubmission.Validate"/>) throw <see cref="ArgumentException"/> before anything is sent.
    /// </summary>
    /// <param name="uploaded">Told the bytes of the file sent so far.</param>
    Task<Batch> CreateAsync(string connectionId, Stream input, string fileName, BatchSubmission submission, IProgress<long>? uploaded, CancellationToken cancellationToken);
}

internal sealed class BatchSubmissions(ConnectionSyncers syncers, IInputTokenCounting counting, ILogger<BatchSubmissions> logger) : IBatchSubmissions
{
    public async Task<Batch> CreateAsync(string connectionId, Stream input, string fileName, BatchSubmission submission, IProgress<long>? uploaded,
        CancellationToken cancellationToken)
    {
        var problems = submission.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems.Select(p => p.Message)), nameof(submission));
        }

        // The connection's syncer: its client sends the batch, and it stores the answer as the sync would.
        var syncer = syncers.For(connectionId);
        var client = syncer.Client;
        var file = await client.UploadBatchFileAsync(new ProgressStream(input, uploaded), fileName, cancellationToken);
        if (submission.PromptTokens is { } tokens)
        {
            // Kept before the batch is stored: the counting it wakes then finds the file counted.
            await KeepCountAsync(connectionId, file.Id, tokens);
        }

        var batch = await client.CreateBatchAsync(new CreateBatchRequest
        {
            InputFileId = file.Id,
            Endpoint = submission.Endpoint,
            CompletionWindow = submission.CompletionWindow,
            Metadata = submission.Metadata is { Count: > 0 } metadata ? metadata : null,
            OutputExpiresAfter = submission.OutputExpiresAfter is { } expiry ? new OutputExpiry((long)expiry.TotalSeconds) : null,
        }, cancellationToken);
        logger.LogInformation("Connection {Connection}: created batch {BatchId} of {Requests} from file {FileId}", client.Connection.Id, batch.Id, batch.RequestCounts?.Total, file.Id);
        await syncer.RecordAsync(batch, cancellationToken);
        return batch;
    }

    /// <summary>A count not kept costs a download later, never the batch: its failure is logged, not thrown.</summary>
    private async Task KeepCountAsync(string connectionId, string fileId, InputTokenCount tokens)
    {
        try
        {
            await counting.RecordAsync(connectionId, fileId, tokens, CancellationToken.None);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException)
        {
            logger.LogWarning(ex, "Connection {Connection}: keeping the token count of file {FileId} failed; it is counted from the API instead", connectionId, fileId);
        }
    }
}
