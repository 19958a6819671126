namespace BatchDashboard.Emulator.Simulation;

/// <summary>Token totals of a batch, as its <c>usage</c> reports them.</summary>
internal readonly record struct TokenUsage(long Input, long Cached, long Output, long Reasoning)
{
    public long Total => Input + Output;
}

/// <summary>What a batch looks like at one moment: its status, timestamps and counts.</summary>
internal sealed record BatchSnapshot
{
    public required string Status { get; init; }
    public DateTimeOffset? InProgressAt { get; init; }
    public DateTimeOffset? FinalizingAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public DateTimeOffset? FailedAt { get; init; }
    public DateTimeOffset? ExpiredAt { get; init; }
    public DateTimeOffset? CancellingAt { get; init; }
    public DateTimeOffset? CancelledAt { get; init; }
    public int Total { get; init; }
    public int Completed { get; init; }
    public int Failed { get; init; }

    /// <summary>Requests processed (succeeded or failed); the rest of a cancelled or expired batch never ran.</summary>
    public int Processed { get; init; }

    public TokenUsage Usage { get; init; }

    /// <summary>Set once the batch reached a terminal status: the moment its result files were written.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>For requests that never ran: <c>batch_cancelled</c> or <c>batch_expired</c>.</summary>
    public string? UnprocessedCode { get; init; }

    public bool IsTerminal => EndedAt is not null;
}

/// <summary>
/// One batch of the emulator. Its whole life follows from what was fixed at creation (the requests, their outcomes,
/// the plan's timings) and from when a cancel arrived, so <see cref="Project"/> is a pure function of time: a test
/// that moves a fake clock sees exactly what a user sees in real time.
/// </summary>
internal sealed class EmulatedBatch
{
    private int[]? _successesBefore;
    private BatchSnapshot? _final;

    public required string Id { get; init; }
    public required long Sequence { get; init; }
    public required string Endpoint { get; init; }
    public required string CompletionWindow { get; init; }
    public required TimeSpan Window { get; init; }
    public required string InputFileId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Null when the batch was created without metadata (the API then answers <c>"metadata": null</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Metadata { get; init; }

    public TimeSpan? OutputExpiresAfter { get; init; }
    public required BatchPlan Plan { get; init; }
    public string? Model { get; init; }

    /// <summary>Its input file's prompt tokens: what it holds of its model's queued-token limit until its requests run.</summary>
    public long PromptTokens { get; init; }

    public required EmulatedRequest[] Requests { get; init; }

    /// <summary>Why validation fails the batch; empty when it passes.</summary>
    public required IReadOnlyList<ValidationError> Errors { get; init; }

    /// <summary>Seeds the batch's own values (response ids, output order).</summary>
    public required ulong Seed { get; init; }

    /// <summary>The reply text for request <c>n</c>, when the input file says it (the demo's); null otherwise.</summary>
    public Func<int, string>? ReplyOf { get; init; }

    public DateTimeOffset? CancelRequestedAt { get; set; }
    public string? OutputFileId { get; set; }
    public string? ErrorFileId { get; set; }

    public DateTimeOffset ExpiresAt => CreatedAt + Window;

    /// <summary>The prompt tokens it holds in its model's queue at that moment: all while validating, the unrun share while it runs, none once ended.</summary>
    public long QueuedTokens(DateTimeOffset now)
    {
        var snapshot = Project(now);
        return snapshot.IsTerminal || Errors.Count > 0 ? 0
            : snapshot.Status == "validating" || snapshot.Total == 0 ? PromptTokens
            : (long)Math.Round(PromptTokens * (double)(snapshot.Total - snapshot.Processed) / snapshot.Total);
    }

    public BatchSnapshot Project(DateTimeOffset now)
    {
        if (_final is not null)
        {
            return _final;
        }

        var snapshot = Compute(now);
        if (snapshot.IsTerminal)
        {
            _final = snapshot;
        }

        return snapshot;
    }

    private BatchSnapshot Compute(DateTimeOffset now)
    {
        var validatedAt = CreatedAt + Plan.ValidationTime;
        var cancelAt = CancelRequestedAt;

        if (cancelAt is { } cancelledWhileValidating && cancelledWhileValidating < validatedAt)
        {
            var cancelledAt = cancelledWhileValidating + Plan.CancellingTime;
            return now < cancelledAt
                ? new BatchSnapshot { Status = "cancelling", CancellingAt = cancelledWhileValidating }
                : new BatchSnapshot { Status = "cancelled", CancellingAt = cancelledWhileValidating, CancelledAt = cancelledAt, EndedAt = cancelledAt };
        }

        if (now < validatedAt)
        {
            return new BatchSnapshot { Status = "validating" };
        }

        if (Errors.Count > 0)
        {
            return new BatchSnapshot { Status = "failed", FailedAt = validatedAt, EndedAt = validatedAt };
        }

        var total = Requests.Length;
        var doneAt = validatedAt + TimeSpan.FromSeconds(total / Plan.RequestsPerSecond);

        // Whichever comes first ends the processing; on a tie, finishing wins over expiry, and expiry over a cancel.
        if (doneAt <= ExpiresAt && (cancelAt is null || doneAt <= cancelAt))
        {
            if (now < doneAt)
            {
                return Running(validatedAt, ProcessedBy(now, validatedAt));
            }

            var completedAt = doneAt + Plan.FinalizingTime;
            return now < completedAt
                ? Running(validatedAt, total) with { Status = "finalizing", FinalizingAt = doneAt }
                : Ended(validatedAt, total, completedAt, unprocessedCode: null) with { Status = "completed", FinalizingAt = doneAt, CompletedAt = completedAt };
        }

        if (cancelAt is { } cancelledRunning && cancelledRunning < ExpiresAt)
        {
            if (now < cancelledRunning)
            {
                return Running(validatedAt, ProcessedBy(now, validatedAt));
            }

            var processed = ProcessedBy(cancelledRunning, validatedAt);
            var cancelledAt = cancelledRunning + Plan.CancellingTime;
            return now < cancelledAt
                ? Running(validatedAt, processed) with { Status = "cancelling", CancellingAt = cancelledRunning }
                : Ended(validatedAt, processed, cancelledAt, "batch_cancelled") with { Status = "cancelled", CancellingAt = cancelledRunning, CancelledAt = cancelledAt };
        }

        // The completion window ran out first: finalizing a second after expiry (as observed), then expired.
        var finalizingAt = ExpiresAt + TimeSpan.FromSeconds(1);
        var processedByExpiry = ProcessedBy(ExpiresAt, validatedAt);
        if (now < finalizingAt)
        {
            return Running(validatedAt, ProcessedBy(now, validatedAt));
        }

        var expiredAt = finalizingAt + Plan.ExpiringTime;
        return now < expiredAt
            ? Running(validatedAt, processedByExpiry) with { Status = "finalizing", FinalizingAt = finalizingAt }
            : Ended(validatedAt, processedByExpiry, expiredAt, "batch_expired") with { Status = "expired", FinalizingAt = finalizingAt, ExpiredAt = expiredAt };
    }

    private BatchSnapshot Running(DateTimeOffset validatedAt, int processed)
    {
        var completed = SuccessesBefore(processed);
        return new BatchSnapshot
        {
            Status = "in_progress",
            InProgressAt = validatedAt,
            Total = Requests.Length,
            Completed = completed,
            Failed = processed - completed,
            Processed = processed,
        };
    }

    private BatchSnapshot Ended(DateTimeOffset validatedAt, int processed, DateTimeOffset endedAt, string? unprocessedCode) =>
        Running(validatedAt, processed) with { EndedAt = endedAt, Usage = UsageOf(processed), UnprocessedCode = unprocessedCode };

    private int ProcessedBy(DateTimeOffset moment, DateTimeOffset validatedAt)
    {
        var elapsed = (moment - validatedAt).TotalSeconds;
        if (elapsed <= 0)
        {
            return 0;
        }

        var processed = elapsed * Plan.RequestsPerSecond;
        return processed >= Requests.Length ? Requests.Length : (int)processed;
    }

    private int SuccessesBefore(int processed)
    {
        if (_successesBefore is null)
        {
            var prefix = new int[Requests.Length + 1];
            for (var i = 0; i < Requests.Length; i++)
            {
                prefix[i + 1] = prefix[i] + (Requests[i].Outcome == RequestOutcome.Succeeded ? 1 : 0);
            }

            _successesBefore = prefix;
        }

        return _successesBefore[processed];
    }

    private TokenUsage UsageOf(int processed)
    {
        long input = 0, cached = 0, output = 0, reasoning = 0;
        for (var i = 0; i < processed; i++)
        {
            var request = Requests[i];
            if (request.Outcome == RequestOutcome.Succeeded)
            {
                input += request.InputTokens;
                cached += request.CachedTokens;
                output += request.OutputTokens;
                reasoning += request.ReasoningTokens;
            }
        }

        return new TokenUsage(input, cached, output, reasoning);
    }
}
