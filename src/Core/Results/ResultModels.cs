namespace BatchDashboard.Core.Results;

/// <summary>What became of one request of a batch, from its line in the output or error file.</summary>
public enum RequestOutcome
{
    /// <summary>In the input file, in no result file (yet): the batch is still running, or the line is missing.</summary>
    NoResult = 0,

    /// <summary>An output line with a 2xx response.</summary>
    Succeeded = 1,

    /// <summary>A response with a 4xx or 5xx status: the endpoint refused or failed the request.</summary>
    HttpError = 2,

    /// <summary><c>batch_expired</c>: not run before the 24 h window ended.</summary>
    Expired = 3,

    /// <summary><c>batch_cancelled</c>: not run because the batch was cancelled.</summary>
    Cancelled = 4,

    /// <summary>Any other error without a response (<c>request_timeout</c>, …).</summary>
    OtherError = 5,
}

public enum ResultFileKind
{
    Input,
    Output,
    Error,
}

public enum ResultFileState
{
    /// <summary>Not read yet.</summary>
    Waiting,

    Indexing,

    Indexed,

    /// <summary>The API answered 404: the file is gone upstream. What was indexed before stays.</summary>
    ExpiredUpstream,

    /// <summary>Reading it failed (an upstream error, a full disk); indexing it again starts over.</summary>
    Failed,
}

/// <summary>Tokens of one request, or summed over many.</summary>
public sealed record TokenCounts(long Input, long Cached, long Output, long Reasoning)
{
    public static TokenCounts Zero { get; } = new(0, 0, 0, 0);

    public long Total => Input + Output;
}

/// <summary>How far the index of one of a batch's files has come.</summary>
/// <param name="HasLocalCopy">The file is kept beside the cache, so its lines stay readable after it expires upstream.</param>
/// <param name="ExpiredUpstream">The API answered 404 for it: deleted upstream.</param>
/// <param name="UpstreamExpiresAt">When the API said it would delete it.</param>
public sealed record ResultFileStatus(
    ResultFileKind Kind,
    string FileId,
    ResultFileState State,
    long? BytesTotal,
    long BytesRead,
    int Lines,
    int MalformedLines,
    string? Error,
    DateTimeOffset? IndexedAt,
    bool HasLocalCopy,
    bool ExpiredUpstream,
    DateTimeOffset? UpstreamExpiresAt)
{
    /// <summary>0 to 1 while the size is known; null otherwise.</summary>
    public double? Fraction => BytesTotal is > 0 and var total ? Math.Clamp(BytesRead / (double)total, 0, 1) : State == ResultFileState.Indexed ? 1 : null;
}

/// <summary>One request, as the index holds it: where its lines are, and what became of it.</summary>
/// <param name="Position">Its line in the input file (or, for a result with no input line, after every input line): the table's order.</param>
public sealed record ResultRow(
    string CustomId,
    RequestOutcome Outcome,
    int? StatusCode,
    string? ErrorCode,
    string? ErrorMessage,
    TokenCounts Tokens,
    int? InputLine,
    ResultFileKind? ResultKind,
    int? ResultLine,
    long Position);

/// <summary>Which requests to list. Every member is optional.</summary>
public sealed record ResultFilter
{
    public IReadOnlyCollection<RequestOutcome> Outcomes { get; init; } = [];

    public string? ErrorCode { get; init; }

    /// <summary>Part of a custom_id.</summary>
    public string? CustomId { get; init; }

    /// <summary>One custom_id exactly, found by index.</summary>
    public string? ExactCustomId { get; init; }
}

public sealed record ResultPage(IReadOnlyList<ResultRow> Items, long? NextCursor);

/// <summary>Requests that failed the same way: how many, and one of them to look at.</summary>
public sealed record ErrorGroup(string Code, int Count, string ExampleCustomId, string? ExampleMessage);

/// <summary>A batch's requests in figures: outcomes, errors by code, tokens.</summary>
/// <param name="Model">The model the requests name (one per batch), for the cost estimate.</param>
public sealed record ResultSummary(
    IReadOnlyDictionary<RequestOutcome, int> Outcomes,
    int Total,
    IReadOnlyList<ErrorGroup> Errors,
    TokenCounts Tokens,
    string? Model);

/// <summary>One request with its lines as the files hold them: the input line and the output or error line.</summary>
public sealed record ResultDetail(ResultRow Row, string? InputLine, string? ResultLine);

/// <summary>A line that could not be read: left out of the index, with its number.</summary>
public sealed record ResultProblem(ResultFileKind Kind, int Line, string Message);

/// <summary>The live state of a batch's indexing, published as it moves.</summary>
public sealed record ResultIndexProgress(string ConnectionId, string BatchId, IReadOnlyList<ResultFileStatus> Files, bool Running);
