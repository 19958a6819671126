using System.Globalization;
using System.Text;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// The list's filters, sort and page as they live in the URL, shared by the page, its export and the JSON API, so a
/// link, the back button and <c>GET /api/batches</c> all mean the same thing:
/// <c>?status=in_progress,failed&amp;endpoint=/v1/embeddings&amp;model=…&amp;connection=…&amp;from=2026-11-01&amp;to=2026-11-21&amp;meta=team=search&amp;q=…&amp;sort=failures&amp;dir=asc&amp;after=CURSOR</c>.
/// </summary>
public sealed record BatchListQuery
{
    public IReadOnlyList<BatchStatusKind> Statuses { get; init; } = [];
    public string? Endpoint { get; init; }
    public string? Model { get; init; }
    public string? Connection { get; init; }

    /// <summary>First day shown (UTC).</summary>
    public DateOnly? From { get; init; }

    /// <summary>Last day shown (UTC), inclusive.</summary>
    public DateOnly? To { get; init; }

    /// <summary><c>key</c> or <c>key=value</c>.</summary>
    public string? Meta { get; init; }

    public string? Text { get; init; }
    public BatchSortField Sort { get; init; } = BatchSortField.Created;
    public bool Ascending { get; init; }
    public string? After { get; init; }

    public bool HasFilters => Statuses.Count > 0 || Endpoint is not null || Model is not null || Connection is not null
        || From is not null || To is not null || Meta is not null || Text is not null;

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

        return new BatchListQuery
        {
            Statuses = statuses,
            Endpoint = Clean(get("endpoint")),
            Model = Clean(get("model")),
            Connection = Clean(get("connection")),
            From = Day(get("from"), "from", problems),
            To = Day(get("to"), "to", problems),
            Meta = Clean(get("meta")),
            Text = Clean(get("q")),
            Sort = sort,
            Ascending = dir == "asc",
            After = Clean(get("after")),
        };
    }

    public BatchFilter ToFilter()
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
            CreatedFrom = From is { } from ? new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null,
            CreatedTo = To is { } to ? new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null,
            MetadataKey = string.IsNullOrEmpty(key) ? null : key,
            MetadataValue = value,
            Text = Text,
        };
    }

    public BatchListRequest ToRequest(int pageSize) =>
        new() { Filter = ToFilter(), Sort = new BatchSort(Sort, !Ascending), PageSize = pageSize, Cursor = After };

    /// <summary>The same filters with <paramref name="status"/> added, or removed when already there; back to the first page.</summary>
    public BatchListQuery ToggleStatus(BatchStatusKind status) => this with
    {
        Statuses = Statuses.Contains(status) ? [.. Statuses.Where(s => s != status)] : [.. Statuses, status],
        After = null,
    };

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
        Add("endpoint", Endpoint);
        Add("model", Model);
        Add("connection", Connection);
        Add("from", From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("to", To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("meta", Meta);
        Add("q", Text);
        Add("sort", Sort == BatchSortField.Created ? null : Sort.ToString().ToLowerInvariant());
        Add("dir", Ascending ? "asc" : null);
        Add("after", After);
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

        if (Endpoint is not null) { Add(Endpoint); }
        if (Model is not null) { Add(Model); }
        if (Connection is not null) { Add("connection " + Connection); }
        if (From is not null || To is not null) { Add($"created {From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "…"} to {To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "…"}"); }
        if (Meta is not null) { Add("metadata " + Meta); }
        if (Text is not null) { Add($"“{Text}”"); }
        return text.ToString();
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static DateOnly? Day(string? text, string name, List<string> problems)
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
