using System.Globalization;
using System.Text;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// The list's filters, sort and page as they live in the URL, shared by the page, its export and the JSON API, so a
/// link, the back button and <c>GET /api/batches</c> all mean the same thing:
/// <c>?status=in_progress,failed&amp;attention=1&amp;endpoint=/v1/embeddings&amp;model=…&amp;connection=…&amp;from=2026-11-01&amp;to=2026-11-21&amp;within=7d&amp;meta=team=search&amp;code=rate_limit_exceeded&amp;q=…&amp;sort=failures&amp;dir=asc&amp;after=CURSOR&amp;page=2</c>.
/// </summary>
public sealed record BatchListQuery
{
    public IReadOnlyList<BatchStatusKind> Statuses { get; init; } = [];

    /// <summary>Only the batches that need attention (<see cref="BatchAttention"/>): <c>attention=1</c>.</summary>
    public bool Attention { get; init; }

    public string? Endpoint { get; init; }
    public string? Model { get; init; }
    public string? Connection { get; init; }

    /// <summary>First day shown (UTC).</summary>
    public DateOnly? From { get; init; }

    /// <summary>Last day shown (UTC), inclusive.</summary>
    public DateOnly? To { get; init; }

    /// <summary>Created within this long before now: one of <see cref="Windows"/> (<c>24h</c>, <c>7d</c>, <c>30d</c>).</summary>
    public string? Within { get; init; }

    /// <summary><c>key</c> or <c>key=value</c>.</summary>
    public string? Meta { get; init; }

    /// <summary>Batches whose indexed files hold a failed request with this error code: <c>code=rate_limit_exceeded</c>.</summary>
    public string? ErrorCode { get; init; }

    public string? Text { get; init; }
    public BatchSortField Sort { get; init; } = BatchSortField.Created;
    public bool Ascending { get; init; }
    public string? After { get; init; }

    /// <summary>Which page <see cref="After"/> starts (1 for the first), for "51–100 of N"; it does not select rows.</summary>
    public int Page { get; init; } = 1;

    /// <summary>The presets of <see cref="Within"/>, shortest first, with their spans.</summary>
    public static readonly IReadOnlyList<(string Name, TimeSpan Span, string Label)> Windows =
    [
        ("24h", TimeSpan.FromHours(24), "Last 24 h"),
        ("7d", TimeSpan.FromDays(7), "Last 7 days"),
        ("30d", TimeSpan.FromDays(30), "Last 30 days"),
    ];

    public bool HasFilters => Statuses.Count > 0 || Attention || Endpoint is not null || Model is not null || Connection is not null
        || From is not null || To is not null || Within is not null || Meta is not null || Text is not null || ErrorCode is not null;

    /// <summary>Why a metadata filter cannot be used (its key is empty), or null when it can.</summary>
    public static string? MetaProblem(string? meta) =>
        string.IsNullOrWhiteSpace(meta) || (meta.IndexOf('=', StringComparison.Ordinal) is var equals && (equals < 0 || meta[..equals].Trim().Length > 0))
            ? null
            : "Write key or key=value: the key before = is missing.";

    /// <summary>Reads the query string's values; each value it cannot use is left out and described in <paramref name="problems"/>.</summary>
    public static BatchListQuery Parse(Func<string, string?> get, out List<string> problems)
    {
        problems = [];
        var statuses = new List<BatchStatusKind>();
        foreach (var raw in (get("status") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var status = BatchStatus.Parse(raw);
            if (status.Kind == BatchStatusKind.Unknown)
            {
                problems.Add($"status '{raw}' is not a batch status");
            }
            else if (!statuses.Contains(status.Kind))
            {
                statuses.Add(status.Kind);
            }
        }

        var sortText = get("sort");
        var sort = BatchSortField.Created;
        if (!string.IsNullOrWhiteSpace(sortText) && !Enum.TryParse(sortText, ignoreCase: true, out sort))
        {
            problems.Add($"sort '{sortText}' is not one of created, duration, progress, failures");
            sort = BatchSortField.Created;
        }

        var dir = get("dir");
        if (dir is not (null or "" or "asc" or "desc"))
        {
            problems.Add($"dir '{dir}' is not asc or desc");
        }

        var within = Clean(get("within"));
        if (within is not null && !Windows.Any(w => w.Name == within))
        {
            problems.Add($"within '{within}' is not one of {string.Join(", ", Windows.Select(w => w.Name))}");
            within = null;
        }

        var attention = Clean(get("attention"));
        if (attention is not (null or "1" or "true" or "0" or "false"))
        {
            problems.Add($"attention '{attention}' is not 1 or 0");
        }

        var meta = Clean(get("meta"));
        if (MetaProblem(meta) is not null)
        {
            problems.Add($"meta '{meta}' has no key (key=value)");
            meta = null;
        }

        var after = Clean(get("after"));
        var page = 1;
        if (after is not null && int.TryParse(get("page"), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 1)
        {
            page = number;
        }

        return new BatchListQuery
        {
            Statuses = statuses,
            Attention = attention is "1" or "true",
            Endpoint = Clean(get("endpoint")),
            Model = Clean(get("model")),
            Connection = Clean(get("connection")),
            From = Day(get("from"), "from", problems),
            To = Day(get("to"), "to", problems),
            Within = within,
            Meta = meta,
            ErrorCode = Clean(get("code")),
            Text = Clean(get("q")),
            Sort = sort,
            Ascending = dir == "asc",
            After = after,
            Page = after is null ? 1 : Math.Max(page, 2),
        };
    }

    /// <summary>
    /// The cache's filter at <paramref name="now"/> (which <see cref="Within"/> counts back from, to the minute, so
    /// the views of one minute share their reads).
    /// </summary>
    public BatchFilter ToFilter(DateTimeOffset now)
    {
        string? key = null, value = null;
        if (Meta is { } meta)
        {
            var equals = meta.IndexOf('=', StringComparison.Ordinal);
            (key, value) = equals < 0 ? (meta, null) : (meta[..equals], meta[(equals + 1)..]);
        }

        return new BatchFilter
        {
            Statuses = Statuses.ToArray(),
            Endpoint = Endpoint,
            Model = Model,
            ConnectionId = Connection,
            CreatedFrom = Latest(From is { } from ? new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null, WindowStart(now)),
            CreatedTo = To is { } to ? new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null,
            MetadataKey = string.IsNullOrEmpty(key) ? null : key,
            MetadataValue = value,
            ErrorCode = ErrorCode,
            Text = Text,
            NeedsAttention = Attention,
        };
    }

    public BatchListRequest ToRequest(int pageSize, DateTimeOffset now) =>
        new() { Filter = ToFilter(now), Sort = new BatchSort(Sort, !Ascending), PageSize = pageSize, Cursor = After };

    private DateTimeOffset? WindowStart(DateTimeOffset now)
    {
        if (Within is null || Windows.FirstOrDefault(w => w.Name == Within) is not { Name: not null } window)
        {
            return null;
        }

        var minute = now.ToUnixTimeSeconds() / 60 * 60;
        return DateTimeOffset.FromUnixTimeSeconds(minute) - window.Span;
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>The same filters with <paramref name="status"/> added, or removed when already there; back to the first page.</summary>
    public BatchListQuery ToggleStatus(BatchStatusKind status) => (this with
    {
        Statuses = Statuses.Contains(status) ? [.. Statuses.Where(s => s != status)] : [.. Statuses, status],
    }).FirstPage();

    /// <summary>The same filters with "needs attention" turned on or off; back to the first page.</summary>
    public BatchListQuery ToggleAttention() => (this with { Attention = !Attention }).FirstPage();

    /// <summary>The same filters and sort from the first page.</summary>
    public BatchListQuery FirstPage() => this with { After = null, Page = 1 };

    /// <summary>The query string for this state, leaving out defaults (empty for the unfiltered first page).</summary>
    public string ToQueryString()
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        Add("status", string.Join(',', Statuses.Select(BatchStatus.NameOf)));
        Add("attention", Attention ? "1" : null);
        Add("endpoint", Endpoint);
        Add("model", Model);
        Add("connection", Connection);
        Add("from", From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("to", To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("within", Within);
        Add("meta", Meta);
        Add("code", ErrorCode);
        Add("q", Text);
        Add("sort", Sort == BatchSortField.Created ? null : Sort.ToString().ToLowerInvariant());
        Add("dir", Ascending ? "asc" : null);
        Add("after", After);
        Add("page", After is not null && Page > 1 ? Page.ToString(CultureInfo.InvariantCulture) : null);
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    /// <summary>A short description of the filters, for the page title and the empty state.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        void Add(string part) => text.Append(text.Length == 0 ? "" : ", ").Append(part);
        if (Statuses.Count > 0)
        {
            Add(string.Join(" or ", Statuses.Select(s => BatchStatus.NameOf(s).Replace('_', ' '))));
        }

        if (Attention) { Add("needing attention"); }

        if (Endpoint is not null) { Add(Endpoint); }
        if (Model is not null) { Add(Model); }
        if (Connection is not null) { Add("connection " + Connection); }
        if (Within is not null) { Add("created in the " + Windows.First(w => w.Name == Within).Label.ToLowerInvariant()); }
        if (From is not null || To is not null) { Add($"created {From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "…"} to {To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "…"}"); }
        if (Meta is not null) { Add("metadata " + Meta); }
        if (ErrorCode is not null) { Add("failing with " + ErrorCode); }
        if (Text is not null) { Add($"“{Text}”"); }
        return text.ToString();
    }

    /// <summary>A query value, trimmed; null when empty.</summary>
    internal static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>A <c>yyyy-mm-dd</c> query value; one it cannot read is described in <paramref name="problems"/>.</summary>
    internal static DateOnly? Day(string? text, string name, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }

        problems.Add($"{name} '{text}' is not a date (yyyy-mm-dd)");
        return null;
    }
}
