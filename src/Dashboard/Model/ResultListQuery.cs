using BatchDashboard.Core.Results;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// The results table's filters, page and open request as they live in the URL, shared by the page, its exports and
/// the JSON API: <c>?outcome=http_error,expired&amp;code=…&amp;q=…&amp;after=…&amp;request=…</c>.
/// </summary>
public sealed record ResultListQuery
{
    public IReadOnlyList<RequestOutcome> Outcomes { get; init; } = [];
    public string? Code { get; init; }
    public string? Text { get; init; }
    public long? After { get; init; }

    /// <summary>The custom_id whose lines are open beside the table.</summary>
    public string? Request { get; init; }

    /// <summary>The connection of the batch (kept so every link names the same batch).</summary>
    public string? Connection { get; init; }

    public bool HasFilters => Outcomes.Count > 0 || Code is not null || Text is not null;

    public static ResultListQuery Parse(Func<string, string?> get, out List<string> problems)
    {
        problems = [];
        var outcomes = new List<RequestOutcome>();
        foreach (var raw in (get("outcome") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (OutcomeDisplay.Parse(raw) is { } outcome)
            {
                if (!outcomes.Contains(outcome))
                {
                    outcomes.Add(outcome);
                }
            }
            else
            {
                problems.Add($"outcome '{raw}' is not one of {string.Join(", ", OutcomeDisplay.All.Select(OutcomeDisplay.Name))}");
            }
        }

        long? after = null;
        if (get("after") is { Length: > 0 } text)
        {
            if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var position))
            {
                after = position;
            }
            else
            {
                problems.Add($"after '{text}' is not a position");
            }
        }

        return new ResultListQuery
        {
            Outcomes = outcomes,
            Code = Clean(get("code")),
            Text = Clean(get("q")),
            After = after,
            Request = Clean(get("request")),
            Connection = Clean(get("connection")),
        };
    }

    public ResultFilter ToFilter() => new() { Outcomes = [.. Outcomes], ErrorCode = Code, CustomId = Text };

    public ResultListQuery ToggleOutcome(RequestOutcome outcome) => this with
    {
        Outcomes = Outcomes.Contains(outcome) ? [.. Outcomes.Where(o => o != outcome)] : [.. Outcomes, outcome],
        After = null,
        Request = null,
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

        Add("connection", Connection);
        Add("outcome", string.Join(',', Outcomes.Select(OutcomeDisplay.Name)));
        Add("code", Code);
        Add("q", Text);
        Add("after", After?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("request", Request);
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
