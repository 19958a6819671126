namespace BatchDashboard.Emulator;

/// <summary>
/// How the emulator behaves. Timestamps are always real (wall-clock, from the injected <see cref="TimeProvider"/>) and
/// the completion window is always 24 hours, as on the real service; <see cref="Speed"/> only makes batches move
/// through their phases faster.
/// </summary>
public sealed class EmulatorOptions
{
    /// <summary>The configuration section the standalone emulator reads (<c>--Emulator:Speed=10</c>, <c>BATCH_EMULATOR_Emulator__Speed</c>).</summary>
    public const string SectionName = "Emulator";

    /// <summary>The only key accepted as <c>Authorization: Bearer</c>. Any other answers 401, as OpenAI does.</summary>
    public string ApiKey { get; set; } = "sk-emulator";

    /// <summary>The loopback port of the standalone emulator; 0 picks a free one.</summary>
    public int Port { get; set; } = 5180;

    /// <summary>
    /// Multiplies every rate and divides every duration below (10 = ten times faster than configured), for the
    /// batches created through the API; the seeded history keeps the pace it was planned with.
    /// </summary>
    public double Speed { get; set; } = 1;

    /// <summary>Seeds every random choice (ids, outcomes, token counts), so a run can be repeated exactly.</summary>
    public int RandomSeed { get; set; } = 20240415;

    /// <summary>How many batches of realistic history to create at start (the dashboard's demo uses 240).</summary>
    public int SeedBatches { get; set; }

    /// <summary>How long a new batch stays <c>validating</c>.</summary>
    public TimeSpan ValidationTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many of a batch's requests complete per second while it is <c>in_progress</c>.</summary>
    public double RequestsPerSecond { get; set; } = 20;

    /// <summary>How long a batch stays <c>finalizing</c> before <c>completed</c>.</summary>
    public TimeSpan FinalizingTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a cancelled batch stays <c>cancelling</c> (OpenAI: up to about 10 minutes).</summary>
    public TimeSpan CancellingTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an expiring batch stays <c>finalizing</c> before <c>expired</c> (OpenAI: about 10 minutes).</summary>
    public TimeSpan ExpiringTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The share of requests, 0 to 1, that fail with a realistic error (HTTP 400 and 500 bodies, timeouts).</summary>
    public double FailureRate { get; set; } = 0.02;

    /// <summary>Requests per batch input file (OpenAI: 50,000).</summary>
    public int MaxRequestsPerBatch { get; set; } = 50_000;

    /// <summary>Bytes per batch input file (OpenAI: 200 MB).</summary>
    public long MaxBatchInputBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>Bytes per uploaded file (OpenAI: 512 MB).</summary>
    public long MaxUploadBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// Prompt tokens that may be queued at once per model (and its dated versions), as OpenAI's
    /// batch queue limits: a new batch over it fails validation with <c>token_limit_exceeded</c>. The seeded history
    /// is not held to it.
    /// </summary>
    public Dictionary<string, long> QueuedTokenLimits { get; set; } = [];

    /// <summary>The limit for every model <see cref="QueuedTokenLimits"/> does not name; null for none.</summary>
    public long? QueuedTokenLimit { get; set; }

    /// <summary>
    /// Where to send a webhook when a batch ends (<c>batch.completed</c>, <c>batch.failed</c>, <c>batch.expired</c>,
    /// <c>batch.cancelled</c>), as OpenAI does: signed the Standard Webhooks way with <see cref="WebhookSecret"/>,
    /// retried when the receiver fails. None by default.
    /// </summary>
    public string? WebhookUrl { get; set; }

    /// <summary>The secret webhooks are signed with: <c>whsec_</c> and base64, as OpenAI's webhook settings give it.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Where uploaded files are kept; by default a fresh temporary folder, deleted when the emulator stops.</summary>
    public string? StorageDirectory { get; set; }

    /// <summary>Faults injected into the API's answers, each for the routes it names.</summary>
    public List<FaultRule> Faults { get; set; } = [];

    /// <summary>The queued-token limit for a model; null when there is none.</summary>
    internal long? QueuedTokenLimitFor(string? model) =>
        model is not null && QueuedTokenLimits.Where(l => Tokens.ModelNames.Covers(l.Key, model)).Select(l => (long?)l.Value).FirstOrDefault() is { } limit ? limit : QueuedTokenLimit;

    internal TimeSpan Scaled(TimeSpan duration) => TimeSpan.FromTicks((long)(duration.Ticks / Speed));

    internal double ScaledRate(double perSecond) => perSecond * Speed;

    /// <summary>Every problem with these options, each naming its key; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            problems.Add($"{SectionName}:ApiKey must not be empty.");
        }

        if (Port is < 0 or > 65535)
        {
            problems.Add($"{SectionName}:Port must be between 0 and 65535.");
        }

        if (!(Speed > 0) || double.IsInfinity(Speed))
        {
            problems.Add($"{SectionName}:Speed must be a positive number (1 = real time, 60 = a minute per second).");
        }

        if (!(RequestsPerSecond > 0) || double.IsInfinity(RequestsPerSecond))
        {
            problems.Add($"{SectionName}:RequestsPerSecond must be a positive number.");
        }

        if (QueuedTokenLimit is <= 0 || QueuedTokenLimits.Values.Any(l => l <= 0))
        {
            problems.Add($"{SectionName}:QueuedTokenLimit and QueuedTokenLimits must be positive numbers of prompt tokens.");
        }

        if (FailureRate is < 0 or > 1 || double.IsNaN(FailureRate))
        {
            problems.Add($"{SectionName}:FailureRate must be between 0 and 1.");
        }

        if (SeedBatches < 0)
        {
            problems.Add($"{SectionName}:SeedBatches must not be negative.");
        }

        foreach (var (name, value) in new[] { (nameof(ValidationTime), ValidationTime), (nameof(FinalizingTime), FinalizingTime), (nameof(CancellingTime), CancellingTime), (nameof(ExpiringTime), ExpiringTime) })
        {
            if (value < TimeSpan.Zero)
            {
                problems.Add($"{SectionName}:{name} must not be negative.");
            }
        }

        if (MaxRequestsPerBatch < 1 || MaxBatchInputBytes < 1 || MaxUploadBytes < 1)
        {
            problems.Add($"{SectionName}: MaxRequestsPerBatch, MaxBatchInputBytes and MaxUploadBytes must be positive.");
        }

        if (!string.IsNullOrWhiteSpace(WebhookUrl) && !WebhookTarget.TryCreate(WebhookUrl, WebhookSecret, out _))
        {
            problems.Add($"{SectionName}:WebhookUrl must be an absolute http(s) address, and {SectionName}:WebhookSecret a webhook secret (whsec_ and base64 of at least 16 bytes).");
        }

        for (var i = 0; i < Faults.Count; i++)
        {
            problems.AddRange(Faults[i].Validate($"{SectionName}:Faults:{i}"));
        }

        return problems;
    }
}

/// <summary>
/// Faults for the requests whose <c>"METHOD /path"</c> matches <see cref="Route"/> (<c>*</c> matches any run of
/// characters, e.g. <c>"GET /v1/batches*"</c> or <c>"* /v1/files/*/content"</c>). Each share, from 0 to 1, is the part
/// of the matching requests that get that fault: of every 100 a rule matches, that many, in a seeded random order (a
/// share finer than 1% is met on average). At most one fault applies to a request.
/// </summary>
public sealed class FaultRule
{
    public string Route { get; set; } = "*";

    /// <summary>Added before every matching answer, faulted or not.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>429 with the API's rate-limit body and a <c>retry-after</c> of <see cref="RetryAfterSeconds"/>.</summary>
    public double RateLimitShare { get; set; }

    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>500 with the API's server-error body.</summary>
    public double ServerErrorShare { get; set; }

    /// <summary>200 with a body that is not JSON at all.</summary>
    public double MalformedJsonShare { get; set; }

    /// <summary>200 with the real answer cut in half.</summary>
    public double TruncatedJsonShare { get; set; }

    /// <summary>502 with an HTML page, as a proxy in front of the API sends.</summary>
    public double HtmlErrorShare { get; set; }

    /// <summary>The connection is dropped without an answer.</summary>
    public double DropConnectionShare { get; set; }

    /// <summary>The real answer, sent only after <see cref="SlowAnswerDelay"/>: an overloaded service or a congested link.</summary>
    public double SlowAnswerShare { get; set; }

    public TimeSpan SlowAnswerDelay { get; set; } = TimeSpan.FromSeconds(5);

    internal IReadOnlyList<string> Validate(string key)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Route))
        {
            problems.Add($"{key}:Route must name the routes, e.g. \"GET /v1/batches*\" or \"*\".");
        }

        var shares = new[] { RateLimitShare, ServerErrorShare, MalformedJsonShare, TruncatedJsonShare, HtmlErrorShare, DropConnectionShare, SlowAnswerShare };
        if (shares.Any(s => s is < 0 or > 1 || double.IsNaN(s)) || shares.Sum() > 1.0000001)
        {
            problems.Add($"{key}: every share must be between 0 and 1, and together at most 1.");
        }

        if (Latency < TimeSpan.Zero || SlowAnswerDelay < TimeSpan.Zero || RetryAfterSeconds < 0)
        {
            problems.Add($"{key}: Latency, SlowAnswerDelay and RetryAfterSeconds must not be negative.");
        }

        return problems;
    }
}
