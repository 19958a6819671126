using BatchDashboard.Core.Api;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Capacity;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Results;
using BatchDashboard.Core.Submissions;
using BatchDashboard.Dashboard.Security;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// The new-batch page's form and its file: the upload received into a temporary file (with progress), checked line by
/// line as the API checks it, the batch's settings, and the send (with progress again). One per circuit (scoped), read
/// by the page; the page only renders it and moves to the new batch. What goes wrong is said in words a person can act
/// on, never an exception's text.
/// </summary>
public sealed class NewBatchViewModel(
    IConnectionCatalog connections,
    DashboardActions actions,
    IBatchQueries queries,
    IResultQueries results,
    IBatchApiClientFactory clients,
    ICapacityQueries capacity,
    ILogger<NewBatchViewModel> logger) : IDisposable
{
    /// <summary>The API's limit, and a margin for a file a few bytes over it, which the check then names.</summary>
    public const long MaxUpload = BatchInputValidator.MaxBytes + (1024 * 1024);

    public static readonly IReadOnlyList<(string Label, TimeSpan? Value)> Expiries =
    [
        ("as the API keeps them (30 days)", null), ("1 hour", TimeSpan.FromHours(1)), ("1 day", TimeSpan.FromDays(1)),
        ("7 days", TimeSpan.FromDays(7)), ("14 days", TimeSpan.FromDays(14)),
    ];

    // Cancelled when the form is reset (the page left) or the circuit ends: a file still arriving or being sent stops.
    private CancellationTokenSource _form = new();
    private bool _disposed;
    private string? _path;

    /// <summary>One metadata row of the form; blank rows are left out.</summary>
    public sealed class MetadataPair
    {
        public string Key { get; set; } = "";
        public string Value { get; set; } = "";
    }

    /// <summary>The connections a batch can be sent to.</summary>
    public IReadOnlyList<ApiConnection> Writable { get; } = [.. connections.Connections];

    /// <summary>Why this person may not create batches here (role or read-only); null when they may.</summary>
    public string? Refusal { get; private set; }

    public string? FileName { get; private set; }

    public long FileSize { get; private set; }

    /// <summary>Bytes of the file received so far, while <see cref="Receiving"/>.</summary>
    public long Received { get; private set; }

    public bool Receiving { get; private set; }

    /// <summary>The file's check, against <see cref="Endpoint"/> once one is chosen.</summary>
    public InputValidation? Validation { get; private set; }

    /// <summary>A valid file's prompt tokens, counted while its lines are checked (on another thread: the check's verdict does not wait for it).</summary>
    public InputTokenCount? Tokens { get; private set; }

    /// <summary>True while a valid file's prompt tokens are being counted.</summary>
    public bool Counting { get; private set; }

    /// <summary>Whether a valid file's prompt tokens fit its model's queue on the chosen connection; null until checked.</summary>
    public CapacityFit? Fit { get; private set; }

    /// <summary>Sending would pass the model's queued-token limit: the API would fail the batch (<c>token_limit_exceeded</c>).</summary>
    public bool OverLimit => Fit?.Verdict is FitVerdict.FitsLater or FitVerdict.NotNow or FitVerdict.TooLarge;

    public string? Endpoint { get; private set; }

    public string? ConnectionId { get; private set; }

    /// <summary>Which of <see cref="Expiries"/> is chosen.</summary>
    public int Expiry { get; set; }

    public List<MetadataPair> Metadata { get; } = [new()];

    /// <summary>What is wrong with the settings (metadata, endpoint), found when sending.</summary>
    public IReadOnlyList<InputProblem> SettingsProblems { get; private set; } = [];

    public bool Sending { get; private set; }

    /// <summary>Bytes sent to the API so far, while <see cref="Sending"/>.</summary>
    public long Sent { get; private set; }

    /// <summary>Why the file could not be taken or the batch could not be created, for a person to act on.</summary>
    public string? Error { get; private set; }

    /// <summary>The batch whose input file the form was loaded from (to fix and send again), or null.</summary>
    public CachedBatch? Source { get; private set; }

    public bool CanSubmit => Validation is { IsValid: true } && !Sending && !Receiving && !Counting && Endpoint is not null && Writable.Count > 0;

    public bool CanAddPair => Metadata.Count < BatchSubmission.MaxMetadataPairs;

    /// <summary>A fresh form (the page opened again in the same circuit starts over).</summary>
    public async Task InitializeAsync()
    {
        Reset();
        ConnectionId = Writable.FirstOrDefault()?.Id;
        Refusal = await actions.RefusalAsync(DashboardAction.Create);
    }

    /// <summary>
    /// Takes a chosen file: received into a temporary file (<paramref name="progressed"/> after each block), then
    /// checked; its endpoint becomes the chosen one when it names a single one the API offers.
    /// </summary>
    public async Task ReceiveAsync(string name, long size, Func<long, CancellationToken, Stream> open, Action progressed)
    {
        Discard();
        (Error, FileName, FileSize, Received, Receiving) = (null, name, size, 0, true);
        var form = _form.Token;
        try
        {
            if (size > MaxUpload)
            {
                Error = $"{name} is {size / 1048576.0:N1} MB; a batch input file may be at most 200 MB.";
                return;
            }

            _path = Path.Combine(Path.GetTempPath(), $"batch-dashboard-upload-{Guid.NewGuid():N}.jsonl");
            await using (var target = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            await using (var source = open(MaxUpload, form))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await source.ReadAsync(buffer, form)) > 0)
                {
                    await target.WriteAsync(buffer.AsMemory(0, read), form);
                    Received += read;
                    progressed();
                }
            }

            if (FileSize == 0)
            {
                FileSize = Received; // a file fetched from the API, whose size is known once it is here
            }

            // The prompt tokens are counted on another thread while the lines are checked: the check's verdict comes
            // as soon as it would alone, and the count with it or soon after. A file found invalid is not counted on.
            using var uncounted = CancellationTokenSource.CreateLinkedTokenSource(form);
            var counting = CountTokensAsync(_path, uncounted.Token);
            try
            {
                Validation = await CheckAsync(null);
                Endpoint = Validation?.Endpoint is { } endpoint && BatchInputValidator.Endpoints.Contains(endpoint) ? endpoint : Endpoint;
                if (Validation is { IsValid: true } && Endpoint is not null)
                {
                    Validation = await CheckAsync(Endpoint);
                }

                Receiving = false;
                progressed();
                await TakeCountAsync(counting, progressed);
            }
            finally
            {
                await uncounted.CancelAsync();
                await ((Task)counting).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        catch (IOException ex)
        {
            logger.LogWarning(ex, "Receiving upload {FileName} failed", name);
            Error = $"{name} could not be received: the browser's connection dropped, or the server's disk is full. Choose the file again.";
            Discard();
        }
        catch (OperationCanceledException) when (form.IsCancellationRequested)
        {
            // The page was left: the form is already reset.
        }
        finally
        {
            Receiving = false;
        }
    }

    /// <summary>
    /// Loads the input file of a batch the API refused, with its endpoint, connection and metadata, so its problems
    /// are listed here as they were there; the person fixes the file and chooses it again.
    /// </summary>
    public async Task LoadFromAsync(string batchId, string? connectionId, Action progressed)
    {
        var form = _form.Token;
        try
        {
            if (await queries.GetAsync(batchId, connectionId, form) is not { Batch.InputFileId: { } fileId } cached)
            {
                Error = $"The batch {batchId} is not in the cache, or names no input file: choose the file instead.";
                return;
            }

            Source = cached;
            ConnectionId = Writable.Any(c => c.Id == cached.ConnectionId) ? cached.ConnectionId : ConnectionId;
            Endpoint = cached.Batch.Endpoint is { } endpoint && BatchInputValidator.Endpoints.Contains(endpoint) ? endpoint : Endpoint;
            Metadata.Clear();
            Metadata.AddRange(cached.Batch.Metadata.Where(m => m.Key != IBatchRetries.RetryOfKey).Take(BatchSubmission.MaxMetadataPairs)
                .Select(m => new MetadataPair { Key = m.Key, Value = m.Value }));
            if (Metadata.Count == 0)
            {
                Metadata.Add(new MetadataPair());
            }

            var content = await results.OpenLocalCopyAsync(cached.ConnectionId, batchId, ResultFileKind.Input, form)
                ?? (connections.Find(cached.ConnectionId) is { } source ? await clients.Create(source).OpenFileContentAsync(fileId, form) : null);
            if (content is null)
            {
                Error = $"The input file {fileId} is no longer kept by the API, and no copy of it was indexed: choose the file instead.";
                return;
            }

            await using (content)
            {
                await ReceiveAsync($"{fileId}.jsonl", 0, (_, _) => content, progressed);
            }
        }
        catch (BatchApiException ex)
        {
            Error = $"The input file could not be fetched from the API ({ex.Summary}): choose the file instead.";
        }
        catch (OperationCanceledException) when (form.IsCancellationRequested)
        {
            // The page was left.
        }
    }

    /// <summary>The lines must name the endpoint chosen: checking again against it names the lines that do not.</summary>
    public async Task ChooseEndpointAsync(string? endpoint)
    {
        Endpoint = string.IsNullOrEmpty(endpoint) ? null : endpoint;
        if (_path is not null && Endpoint is not null)
        {
            Validation = await CheckAsync(Endpoint);
            if (Tokens is null)
            {
                // Counted only once the file passes: a count started for an invalid one would run on unwaited for.
                if (Validation is { IsValid: true })
                {
                    await TakeCountAsync(CountTokensAsync(_path, _form.Token), () => { });
                }
            }
            else
            {
                await CheckFitAsync();
            }
        }
    }

    /// <summary>The file's prompt tokens, counted on a thread of their own.</summary>
    private static Task<InputTokenCount> CountTokensAsync(string path, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await InputTokenCount.CountAsync(input, cancellationToken);
    }, cancellationToken);

    /// <summary>A valid file's prompt tokens, then whether they fit: the page shows that it is counting while it waits.</summary>
    private async Task TakeCountAsync(Task<InputTokenCount> counting, Action progressed)
    {
        if (Validation is not { IsValid: true })
        {
            return;
        }

        if (!counting.IsCompleted)
        {
            Counting = true;
            progressed();
        }

        try
        {
            Tokens = await counting;
            await CheckFitAsync();
        }
        finally
        {
            Counting = false;
        }
    }

    /// <summary>Each connection has its own queues: the fit is checked again against the one chosen.</summary>
    public async Task ChooseConnectionAsync(string? connectionId)
    {
        ConnectionId = connectionId;
        await CheckFitAsync();
    }

    /// <summary>
    /// Whether the file's prompt tokens fit its model's queue now (from the cache: the running batches' counted files
    /// against the model's limit). A cache that cannot answer leaves the question open rather than the form broken.
    /// </summary>
    private async Task CheckFitAsync()
    {
        Fit = null;
        if (Validation is not { IsValid: true, Model: { } model } || Tokens is not { } tokens || ConnectionId is null)
        {
            return;
        }

        try
        {
            Fit = await capacity.FitAsync(ConnectionId, model, tokens.Tokens, _form.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException)
        {
            logger.LogWarning(ex, "Checking whether {FileName} fits its model's queue failed", FileName);
        }
    }

    public void AddPair()
    {
        if (CanAddPair)
        {
            Metadata.Add(new MetadataPair());
        }
    }

    public void RemovePair(MetadataPair pair)
    {
        Metadata.Remove(pair);
        if (Metadata.Count == 0)
        {
            Metadata.Add(new MetadataPair());
        }
    }

    /// <summary>
    /// Sends the file and creates the batch (<paramref name="progressed"/> as bytes go out); the new batch, or null
    /// with <see cref="SettingsProblems"/> or <see cref="Error"/> saying why not.
    /// </summary>
    public async Task<Batch?> SubmitAsync(Action progressed)
    {
        if (_path is null || ConnectionId is null || !CanSubmit)
        {
            return null;
        }

        var submission = Submission();
        SettingsProblems = submission.Validate();
        if (SettingsProblems.Count > 0)
        {
            return null;
        }

        (Sending, Sent, Error) = (true, 0, null);
        var form = _form.Token;
        try
        {
            await using var input = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var progress = new Progress<long>(sent =>
            {
                Sent = sent;
                progressed();
            });
            var batch = await actions.CreateAsync(ConnectionId, input, FileName ?? "requests.jsonl", submission, progress, form);
            Discard();
            return batch;
        }
        catch (BatchApiException ex)
        {
            Error = $"The API refused the batch: {ex.Summary}";
        }
        catch (ActionRefusedException ex)
        {
            Error = ex.Message;
        }
        catch (ArgumentException ex)
        {
            // The settings are checked above; this is the file or connection changing under the form.
            logger.LogWarning(ex, "Creating a batch from {FileName} was refused before sending", FileName);
            Error = "The batch could not be created from this form. Choose the file again and check the settings.";
        }
        catch (OperationCanceledException) when (form.IsCancellationRequested)
        {
            // The page was left before the batch was created.
        }
        finally
        {
            Sending = false;
        }

        return null;
    }

    private BatchSubmission Submission() => new(
        Endpoint ?? "",
        Metadata.Where(p => p.Key.Trim().Length > 0 || p.Value.Length > 0).GroupBy(p => p.Key.Trim()).ToDictionary(g => g.Key, g => g.Last().Value),
        Expiries[Expiry].Value,
        PromptTokens: Tokens);

    private async Task<InputValidation?> CheckAsync(string? endpoint)
    {
        if (_path is null)
        {
            return null;
        }

        await using var input = File.OpenRead(_path);
        return await BatchInputValidator.ValidateAsync(input, endpoint, _form.Token);
    }

    /// <summary>The form emptied and its file deleted, as when the page is left.</summary>
    public void Reset()
    {
        // The circuit's (or request's) services may be disposed before the page that resets the form on leaving.
        if (_disposed)
        {
            return;
        }

        _form.Cancel();
        _form.Dispose();
        _form = new CancellationTokenSource();
        Discard();
        (FileName, FileSize, Received, Endpoint, Expiry, SettingsProblems, Sent, Error, Source, Fit) = (null, 0, 0, null, 0, [], 0, null, null, null);
        Metadata.Clear();
        Metadata.Add(new MetadataPair());
    }

    private void Discard()
    {
        if (_path is not null)
        {
            try
            {
                File.Delete(_path);
            }
            catch (IOException)
            {
                // A temporary file; the system cleans its folder.
            }
        }

        (_path, Validation, Tokens, Fit) = (null, null, null, null);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Discard();
        _form.Cancel();
        _form.Dispose();
    }
}
