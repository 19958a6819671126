using System.Globalization;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Insights;
using BatchDashboard.Core.Queries;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// The insights page's range and filters as they live in the URL, shared by the page, its CSV files and
/// <c>GET /api/insights</c>: <c>?range=30d</c> (or <c>from=2026-11-01&amp;to=2026-11-30</c>), <c>connection</c>,
/// <c>endpoint</c>, <c>model</c>, <c>meta=key</c> or <c>meta=key=value</c>, and <c>group=key</c> for the spend by a
/// metadata key. Days are UTC days of creation, as in the list's date filter, so every figure links to its batches.
/// </summary>
public sealed record InsightQuery
{
    /// <summary>The longest custom range, in days.</summary>
    public const int MaxDays = 400;

    public static readonly IReadOnlyList<(string Name, int Days, string Label)> Ranges =
    [
        ("7d", 7, "Last 7 days"),
        ("30d", 30, "Last 30 days"),
        ("90d", 90, "Last 90 days"),
    ];

    /// <summary>One of <see cref="Ranges"/>; null when <see cref="From"/> and <see cref="To"/> say the days.</summary>
    public string? Range { get; init; } = "30d";

    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public string? Connection { get; init; }
    public string? Endpoint { get; init; }
    public string? Model { get; init; }

    /// <summary><c>key</c> or <c>key=value</c>.</summary>
    public string? Meta { get; init; }

    /// <summary>The metadata key the spend is grouped by.</summary>
    public string? Group { get; init; }

    public bool IsCustom => Range is null;

    public static InsightQuery Parse(Func<string, string?> get, out List<string> problems)
    {
        problems = [];
        var from = Day(get("from"), "from", problems);
        var to = Day(get("to"), "to", problems);
        var range = Clean(get("range"));
        if (range is not null && Ranges.All(r => r.Name != range))
        {
            problems.Add($"range '{range}' is not one of {string.Join(", ", Ranges.Select(r => r.Name))}");
            range = null;
        }

        if (from is { } first && to is { } last)
        {
            if (last < first)
            {
                problems.Add($"to {Iso(last)} is before from {Iso(first)}");
                (from, to) = (null, null);
            }
            else if (last.DayNumber - first.DayNumber + 1 > MaxDays)
            {
                problems.Add($"from {Iso(first)} to {Iso(last)} is more than {MaxDays} days");
                (from, to) = (null, null);
            }
        }
        else if (from is not null || to is not null)
        {
            problems.Add("a custom range needs both from and to (yyyy-mm-dd)");
            (from, to) = (null, null);
        }

        var meta = Clean(get("meta"));
        if (BatchListQuery.MetaProblem(meta) is not null)
        {
            problems.Add($"meta '{meta}' has no key (key=value)");
            meta = null;
        }

        var custom = from is not null;
        return new InsightQuery
        {
            Range = custom ? null : range ?? "30d",
            From = from,
            To = to,
            Connection = Clean(get("connection")),
            Endpoint = Clean(get("endpoint")),
            Model = Clean(get("model")),
            Meta = meta,
            Group = Clean(get("group")),
        };
    }

    /// <summary>The first and last day covered, the last being <paramref name="today"/> for a preset.</summary>
    public (DateOnly From, DateOnly To) DaysAt(DateOnly today)
    {
        if (From is { } from && To is { } to)
        {
            return (from, to);
        }

        var days = Ranges.FirstOrDefault(r => r.Name == Range).Days;
        return (today.AddDays(-(days > 0 ? days : 30) + 1), today);
    }

    public (string? Key, string? Value) MetaPair()
    {
        if (Meta is not { } meta)
        {
            return (null, null);
        }

        var equals = meta.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (meta, null) : (meta[..equals], meta[(equals + 1)..]);
    }

    public InsightFilter ToFilter(DateOnly today)
    {
        var (from, to) = DaysAt(today);
        var (key, value) = MetaPair();
        return new InsightFilter(from, to)
        {
            ConnectionId = Connection,
            Endpoint = Endpoint,
            Model = Model,
            MetadataKey = key,
            MetadataValue = value,
            GroupBy = Group,
        };
    }

    /// <summary>
    /// The batch list showing the batches behind a figure: this query's filters and days (or one day), narrowed to a
    /// status (<c>running</c> is every status before an end), a model, an endpoint, a metadata pair or an error code.
    /// </summary>
    public BatchListQuery ListOf(DateOnly today, DateOnly? day = null, string? status = null, string? model = null, string? endpoint = null,
        string? meta = null, BatchSortField sort = BatchSortField.Created, string? errorCode = null)
    {
        var (from, to) = DaysAt(today);
        return new BatchListQuery
        {
            From = day ?? from,
            To = day ?? to,
            Connection = Connection,
            Endpoint = endpoint ?? Endpoint,
            Model = model ?? Model,
            Meta = meta ?? Meta,
            Statuses = StatusesOf(status),
            ErrorCode = errorCode,
            Sort = sort,
        };
    }

    /// <summary>The list's statuses for a status of the insights: an end's own, or every status a batch has before one.</summary>
    public static IReadOnlyList<BatchStatusKind> StatusesOf(string? status) => status switch
    {
        null => [],
        BatchOutcome.Running => [BatchStatusKind.Validating, BatchStatusKind.InProgress, BatchStatusKind.Finalizing, BatchStatusKind.Cancelling],
        "ended" => [BatchStatusKind.Completed, BatchStatusKind.Failed, BatchStatusKind.Expired, BatchStatusKind.Cancelled],
        _ => [BatchStatus.Parse(status).Kind],
    };

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

        Add("range", Range == "30d" ? null : Range);
        Add("from", From is { } from ? Iso(from) : null);
        Add("to", To is { } to ? Iso(to) : null);
        Add("connection", Connection);
        Add("endpoint", Endpoint);
        Add("model", Model);
        Add("meta", Meta);
        Add("group", Group);
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    /// <summary>The range as words after "created": "in the last 30 days" or "from 2026-11-01 to 2026-11-30".</summary>
    public string DescribeRange(DateOnly today)
    {
        if (Range is { } name && Ranges.FirstOrDefault(r => r.Name == name) is { Label: { } label })
        {
            return "in the " + label.ToLowerInvariant();
        }

        var (from, to) = DaysAt(today);
        return $"from {Iso(from)} to {Iso(to)}";
    }

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Clean(string? value) => BatchListQuery.Clean(value);

    private static DateOnly? Day(string? text, string name, List<string> problems) => BatchListQuery.Day(text, name, problems);
}
