using System.Globalization;
using BatchDashboard.Emulator.Simulation;

namespace BatchDashboard.Emulator;

/// <summary>An answer the API gives instead of a result: its HTTP status and OpenAI's error fields.</summary>
internal sealed record EmulatorError(int Status, string Message, string Type = "invalid_request_error", string? Param = null, string? Code = null)
{
    public static EmulatorError NoSuchFile(string id, string param = "id") => new(404, $"No such File object: {id}", Param: param);

    public static EmulatorError NoSuchBatch(string id) => new(404, $"No batch found with id '{id}'.", Param: "batch_id");
}

/// <summary>What <c>POST /v1/batches</c> asks for, already checked for shape.</summary>
internal sealed record CreateBatchArgs(
    string InputFileId,
    string Endpoint,
    string CompletionWindow,
    IReadOnlyList<KeyValuePair<string, string>>? Metadata,
    TimeSpan? OutputExpiresAfter);

/// <summary>One page of a list answer.</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, bool HasMore);

/// <summary>
/// The emulator's files and batches, in memory (uploads on disk). Every read first brings running batches up to the
/// clock's present and writes the result files of those that just ended, so the API never shows a state that the
/// timeline has already left.
/// </summary>
internal sealed class EmulatorState : IDisposable
{
    public static readonly string[] Endpoints =
        ["/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/moderations", "/v1/images/generations", "/v1/images/edits", "/v1/videos"];

    public static readonly string[] Purposes = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"];

    /// <summary>Files with purpose <c>batch</c> and result files are deleted after 30 days unless told otherwise.</summary>
    public static readonly TimeSpan DefaultFileLifetime = TimeSpan.FromDays(30);

    private static readonly Comparer<EmulatedBatch> NewestFirst = Comparer<EmulatedBatch>.Create((a, b) =>
    {
        var byTime = b.CreatedAt.CompareTo(a.CreatedAt);
        return byTime != 0 ? byTime : b.Sequence.CompareTo(a.Sequence);
    });

    private readonly Lock _gate = new();
    private readonly EmulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly string _storage;
    private readonly bool _ownsStorage;
    private readonly Dictionary<string, EmulatedFile> _files = new(StringComparer.Ordinal);
    private readonly List<EmulatedFile> _filesInOrder = [];
    private readonly Dictionary<string, EmulatedBatch> _batches = new(StringComparer.Ordinal);
    private readonly SortedSet<EmulatedBatch> _newestFirst = new(NewestFirst);
    private readonly HashSet<EmulatedBatch> _running = [];
    private long _sequence;

    public EmulatorState(EmulatorOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _random = new Random(options.RandomSeed);
        _ownsStorage = string.IsNullOrWhiteSpace(options.StorageDirectory);
        _storage = _ownsStorage
            ? Path.Combine(Path.GetTempPath(), "batch-emulator-" + Guid.NewGuid().ToString("N"))
            : Path.GetFullPath(options.StorageDirectory!);
        Directory.CreateDirectory(_storage);
    }

    public EmulatorOptions Options => _options;

    /// <summary>
    /// A batch has just ended (its id, its final status, when): raised under the state's lock as the clock passes the
    /// end, so a handler must only queue work.
    /// </summary>
    public event Action<string, string, DateTimeOffset>? BatchEnded;

    /// <summary>Brings every running batch to the present now, not only at the next API read: ends are told on time.</summary>
    public void Tick()
    {
        lock (_gate)
        {
            Advance();
        }
    }

    /// <summary>Where uploads are written.</summary>
    public string StorageDirectory => _storage;

    public DateTimeOffset Now => _time.GetUtcNow();

    public int BatchCount
    {
        get
        {
            lock (_gate)
            {
                return _batches.Count;
            }
        }
    }

    // ---- Files -------------------------------------------------------------------------------------------------

    /// <summary>A fresh path in the storage folder for an upload to be written to.</summary>
    public string NewUploadPath() => Path.Combine(StorageDirectory, Guid.NewGuid().ToString("N") + ".upload");

    public EmulatedFile RegisterUpload(string path, string filename, string purpose, TimeSpan? expiresAfter)
    {
        var now = Now;
        TimeSpan? lifetime = expiresAfter ?? (purpose == "batch" ? DefaultFileLifetime : null);
        lock (_gate)
        {
            var file = new EmulatedFile
            {
                Id = "file-" + RandomBase62(22),
                Filename = filename,
                Purpose = purpose,
                CreatedAt = now,
                ExpiresAt = now + lifetime,
                Content = new StoredContent(path),
            };
            AddFile(file);
            return file;
        }
    }

    /// <summary>A file whose content is generated on read (the demo's inputs), created at a chosen moment.</summary>
    public EmulatedFile AddGeneratedFile(string filename, string purpose, DateTimeOffset createdAt, FileContent content)
    {
        lock (_gate)
        {
            var file = new EmulatedFile
            {
                Id = "file-" + RandomBase62(22),
                Filename = filename,
                Purpose = purpose,
                CreatedAt = createdAt,
                ExpiresAt = createdAt + DefaultFileLifetime,
                Content = content,
            };
            AddFile(file);
            return file;
        }
    }

    public EmulatedFile? FindFile(string id)
    {
        lock (_gate)
        {
            Advance();
            return _files.TryGetValue(id, out var file) && !file.IsGone(Now) ? file : null;
        }
    }

    public bool DeleteFile(string id)
    {
        EmulatedFile? file;
        lock (_gate)
        {
            Advance();
            if (!_files.TryGetValue(id, out file) || file.IsGone(Now))
            {
                return false;
            }

            file.Deleted = true;
        }

        if (file.Content is StoredContent stored)
        {
            File.Delete(stored.Path);
        }

        return true;
    }

    public Page<EmulatedFile> ListFiles(string? purpose, bool ascending, string? after, int limit, out EmulatorError? error)
    {
        error = null;
        lock (_gate)
        {
            Advance();
            var now = Now;
            // Oldest first, ties in upload order (OrderBy is stable); reversed for the default newest-first order.
            var ordered = _filesInOrder.OrderBy(f => f.CreatedAt).ToList();
            if (!ascending)
            {
                ordered.Reverse();
            }

            var files = ordered.Where(f => !f.IsGone(now) && (purpose is null || f.Purpose == purpose));
            if (after is not null)
            {
                if (!_files.ContainsKey(after))
                {
                    error = new EmulatorError(400, $"No file found with id '{after}' to list after.", Param: "after");
                    return new Page<EmulatedFile>([], false);
                }

                files = files.SkipWhile(f => f.Id != after).Skip(1);
            }

            var page = files.Take(limit + 1).ToList();
            var hasMore = page.Count > limit;
            return new Page<EmulatedFile>(hasMore ? page[..limit] : page, hasMore);
        }
    }

    // ---- Batches -----------------------------------------------------------------------------------------------

    /// <summary>
    /// Creates a batch from an uploaded input file, validating the file now (its verdict shows once the batch leaves
    /// <c>validating</c>). The seeder passes its own plan, creation time, forced failure and cancel time to build a
    /// history whose past is already fixed.
    /// </summary>
    public (EmulatedBatch? Batch, EmulatorError? Error) CreateBatch(
        CreateBatchArgs args, BatchPlan? plan = null, DateTimeOffset? createdAt = null, ValidationError? forcedFailure = null, DateTimeOffset? cancelAt = null)
    {
        EmulatedFile? input;
        lock (_gate)
        {
            Advance();
            input = _files.TryGetValue(args.InputFileId, out var file) && !file.IsGone(Now) ? file : null;
        }

        if (input is null)
        {
            return (null, new EmulatorError(400, $"No such File object: {args.InputFileId}", Param: "input_file_id"));
        }

        if (input.Purpose != "batch")
        {
            return (null, new EmulatorError(400, $"The input file must be uploaded with purpose 'batch'; {args.InputFileId} has purpose '{input.Purpose}'.", Param: "input_file_id"));
        }

        InputCheck check;
        using (var content = input.Content.OpenRead())
        {
            check = InputValidator.Check(content, input.Content.Length, args.Endpoint, _options);
        }

        plan ??= BatchPlan.From(_options);
        var errors = forcedFailure is null ? check.Errors : [forcedFailure];
        var created = createdAt ?? Now;

        lock (_gate)
        {
            // A batch sent through the API is held to its model's queued-token limit (the seeded history is not).
            if (createdAt is null && errors.Count == 0 && _options.QueuedTokenLimitFor(check.Model) is { } limit)
            {
                var model = Tokens.ModelNames.Base(check.Model!);
                var queued = _running.Where(b => b.Model is { } other && Tokens.ModelNames.Base(other) == model).Sum(b => b.QueuedTokens(Now));
                if (queued + check.PromptTokens > limit)
                {
                    errors = [TokenLimitExceeded(model, limit)];
                }
            }

            var seed = (ulong)_random.NextInt64();
            var batch = new EmulatedBatch
            {
                Id = "batch_" + ((uint)created.ToUnixTimeSeconds()).ToString("x8", CultureInfo.InvariantCulture) + RandomHex(24),
                Sequence = ++_sequence,
                Endpoint = args.Endpoint,
                CompletionWindow = args.CompletionWindow,
                Window = TimeSpan.FromHours(24),
                InputFileId = input.Id,
                CreatedAt = created,
                Metadata = args.Metadata,
                OutputExpiresAfter = args.OutputExpiresAfter,
                Plan = plan,
                Model = check.Model,
                PromptTokens = check.PromptTokens,
                Requests = errors.Count == 0 ? BuildRequests(check, args.Endpoint, plan.FailureRate, seed) : [],
                Errors = errors,
                Seed = seed,
                ReplyOf = (input.Content as GeneratedContent)?.ReplyOf,
                CancelRequestedAt = cancelAt,
            };
            _batches.Add(batch.Id, batch);
            _newestFirst.Add(batch);
            _running.Add(batch);
            Advance();
            return (batch, null);
        }
    }

    /// <summary>The API's failure for a batch over its model's queued-token limit, word for word.</summary>
    internal static ValidationError TokenLimitExceeded(string model, long limit) => new(
        "token_limit_exceeded",
        string.Create(CultureInfo.InvariantCulture,
            $"Enqueued token limit reached for {model} in organization {Organization}. Limit: {limit:N0} enqueued tokens. Please try again once some in_progress batches have been completed."),
        null,
        null);

    /// <summary>The organization the emulator's messages name.</summary>
    internal const string Organization = "org-emulator";

    public (EmulatedBatch Batch, BatchSnapshot Snapshot)? FindBatch(string id)
    {
        lock (_gate)
        {
            Advance();
            return _batches.TryGetValue(id, out var batch) ? (batch, batch.Project(Now)) : null;
        }
    }

    public Page<(EmulatedBatch Batch, BatchSnapshot Snapshot)> ListBatches(string? after, int limit, out EmulatorError? error)
    {
        error = null;
        lock (_gate)
        {
            Advance();
            IEnumerable<EmulatedBatch> batches = _newestFirst;
            if (after is not null)
            {
                if (!_batches.TryGetValue(after, out var cursor))
                {
                    error = new EmulatorError(400, $"No batch found with id '{after}' to list after.", Param: "after");
                    return new Page<(EmulatedBatch, BatchSnapshot)>([], false);
                }

                batches = _newestFirst.GetViewBetween(cursor, _newestFirst.Max!).Skip(1);
            }

            var now = Now;
            var page = batches.Take(limit + 1).Select(b => (b, b.Project(now))).ToList();
            var hasMore = page.Count > limit;
            return new Page<(EmulatedBatch, BatchSnapshot)>(hasMore ? page[..limit] : page, hasMore);
        }
    }

    /// <summary>
    /// Cancels a batch that is validating or running (it turns <c>cancelling</c>); asking again while it is cancelling
    /// answers the batch as it is; any other status is refused with 400, as the API does.
    /// </summary>
    public (EmulatedBatch? Batch, BatchSnapshot? Snapshot, EmulatorError? Error) Cancel(string id)
    {
        lock (_gate)
        {
            Advance();
            if (!_batches.TryGetValue(id, out var batch))
            {
                return (null, null, EmulatorError.NoSuchBatch(id));
            }

            var snapshot = batch.Project(Now);
            if (snapshot.Status is "validating" or "in_progress" && batch.CancelRequestedAt is null)
            {
                batch.CancelRequestedAt = Now;
                snapshot = batch.Project(Now);
            }
            else if (snapshot.Status != "cancelling")
            {
                return (batch, snapshot, new EmulatorError(400, $"Cannot cancel a batch with status '{snapshot.Status}'."));
            }

            Advance();
            return (batch, snapshot, null);
        }
    }

    public void Dispose()
    {
        if (_ownsStorage)
        {
            try
            {
                Directory.Delete(_storage, recursive: true);
            }
            catch (IOException)
            {
                // A temporary folder left behind is harmless; the OS cleans it.
            }
        }
    }

    // ---- Internals ---------------------------------------------------------------------------------------------

    /// <summary>Brings every running batch to the present, writing result files for those that have just ended.</summary>
    private void Advance()
    {
        if (_running.Count == 0)
        {
            return;
        }

        var now = Now;
        List<EmulatedBatch>? ended = null;
        foreach (var batch in _running)
        {
            var snapshot = batch.Project(now);
            if (snapshot.IsTerminal)
            {
                WriteResultFiles(batch, snapshot);
                (ended ??= []).Add(batch);
                BatchEnded?.Invoke(batch.Id, snapshot.Status, snapshot.EndedAt!.Value);
            }
        }

        if (ended is not null)
        {
            _running.ExceptWith(ended);
        }
    }

    private void WriteResultFiles(EmulatedBatch batch, BatchSnapshot snapshot)
    {
        if (snapshot.Total == 0)
        {
            return;
        }

        var succeeded = new List<int>();
        var failed = new List<int>();
        foreach (var index in EmittedOrder(batch.Seed, snapshot.Processed))
        {
            (batch.Requests[index].Outcome == RequestOutcome.Succeeded ? succeeded : failed).Add(index);
        }

        var neverRan = snapshot.Total - snapshot.Processed;
        var createdAt = snapshot.EndedAt!.Value;
        var expiresAt = createdAt + (batch.OutputExpiresAfter ?? DefaultFileLifetime);
        if (succeeded.Count > 0)
        {
            var lines = succeeded.ToArray();
            var file = new EmulatedFile
            {
                Id = "file-" + Deterministic.Base62Id(batch.Seed, 1_000_001, 22),
                Filename = $"{batch.Id}_output.jsonl",
                Purpose = "batch_output",
                CreatedAt = createdAt,
                ExpiresAt = expiresAt,
                Content = new GeneratedContent(lines.Length, (line, buffer) => ResultLines.WriteOutputLine(buffer, batch, lines[line])),
            };
            AddFile(file);
            batch.OutputFileId = file.Id;
        }

        if (failed.Count + neverRan > 0)
        {
            var lines = failed.ToArray();
            var processed = snapshot.Processed;
            var code = snapshot.UnprocessedCode;
            var file = new EmulatedFile
            {
                Id = "file-" + Deterministic.Base62Id(batch.Seed, 1_000_002, 22),
                Filename = $"{batch.Id}_error.jsonl",
                Purpose = "batch_output",
                CreatedAt = createdAt,
                ExpiresAt = expiresAt,
                Content = new GeneratedContent(lines.Length + neverRan, (line, buffer) =>
                {
                    if (line < lines.Length)
                    {
                        ResultLines.WriteErrorLine(buffer, batch, lines[line], unprocessedCode: null);
                    }
                    else
                    {
                        ResultLines.WriteErrorLine(buffer, batch, processed + line - lines.Length, code);
                    }
                }),
            };
            AddFile(file);
            batch.ErrorFileId = file.Id;
        }
    }

    /// <summary>Output order is not guaranteed by OpenAI: requests are written in shuffled runs of 16.</summary>
    private static IEnumerable<int> EmittedOrder(ulong seed, int count)
    {
        for (var start = 0; start < count; start += 16)
        {
            var end = Math.Min(start + 16, count);
            foreach (var index in Enumerable.Range(start, end - start).OrderBy(i => Deterministic.Hash(seed, i)))
            {
                yield return index;
            }
        }
    }

    private static EmulatedRequest[] BuildRequests(InputCheck check, string endpoint, double failureRate, ulong seed)
    {
        var producesText = endpoint is not ("/v1/embeddings" or "/v1/moderations");
        var reasons = check.Model is { } model && (model.StartsWith('o') || model.StartsWith("gpt-5", StringComparison.Ordinal));
        var requests = new EmulatedRequest[check.Lines.Count];
        for (var i = 0; i < requests.Length; i++)
        {
            var line = check.Lines[i];
            var input = Math.Max(8, line.BodyBytes / 4);
            var cached = Deterministic.Unit(seed, (i * 4) + 1) < 0.3 ? input / 2 / 64 * 64 : 0;
            var output = producesText ? Deterministic.Between(seed, (i * 4) + 2, 12, 600) : 0;
            var roll = Deterministic.Unit(seed, i * 4);
            var outcome = roll >= failureRate ? RequestOutcome.Succeeded
                : roll < failureRate * 0.5 ? RequestOutcome.BadRequest
                : roll < failureRate * 0.85 ? RequestOutcome.ServerError
                : RequestOutcome.Timeout;
            requests[i] = new EmulatedRequest(line.CustomId, input, cached, output, reasons ? output * 3 / 5 : 0, outcome);
        }

        return requests;
    }

    private void AddFile(EmulatedFile file)
    {
        _files.Add(file.Id, file);
        _filesInOrder.Add(file);
    }

    private string RandomHex(int length)
    {
        Span<byte> bytes = stackalloc byte[(length + 1) / 2];
        _random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes)[..length];
    }

    private string RandomBase62(int length)
    {
        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        return string.Create(length, _random, (span, random) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[random.Next(alphabet.Length)];
            }
        });
    }
}
