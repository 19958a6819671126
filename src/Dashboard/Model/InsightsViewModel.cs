using System.Globalization;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Insights;
using BatchDashboard.Core.Queries;

namespace BatchDashboard.Dashboard.Model;

/// <summary>One line or stack of a chart: its name, its colour (a CSS colour the chart's stylesheet knows) and a value per label.</summary>
public sealed record ChartLine(string Name, string Colour, IReadOnlyList<double?> Values);

/// <summary>
/// The insights page: for the query's days and filters, the report from the rollups (<see cref="IInsightQueries"/>),
/// shaped into chart series and tables, each figure with the list link that shows its batches. One per circuit.
/// </summary>
public sealed class InsightsViewModel(IInsightQueries insights, IBatchQueries batches, IConnectionCatalog catalog,
    Microsoft.Extensions.Options.IOptions<InsightOptions> options, TimeProvider time, ILogger<InsightsViewModel> logger)
{
    /// <summary>The order and colours of the statuses in the volume chart (InsightChart.razor.css maps each to the theme's).</summary>
    public static readonly IReadOnlyList<(string Status, string Label, string Colour)> Statuses =
    [
        ("completed", "completed", "#2e7d32"),
        ("failed", "failed", "#d32f2f"),
        ("expired", "expired", "#ed6c02"),
        ("cancelled", "cancelled", "#78909c"),
        (BatchOutcome.Running, "not ended yet", "#1976d2"),
    ];

    /// <summary>Colours for series that are not statuses (models, phases, error codes), in turn.</summary>
    public static readonly IReadOnlyList<string> Palette = ["#1976d2", "#9c27b0", "#00897b", "#f9a825", "#6d4c41", "#c2185b", "#5c6bc0", "#757575"];

    /// <summary>A chart shows this many models or codes; the rest are summed as one.</summary>
    public const int SeriesShown = 6;

    public InsightQuery Query { get; private set; } = new();

    public IReadOnlyList<string> Problems { get; private set; } = [];

    public InsightReport? Report { get; private set; }

    public string? Error { get; private set; }

    public DateOnly Today { get; private set; }

    /// <summary>Every day of the range, for the charts' labels (days without batches are zero).</summary>
    public IReadOnlyList<DateOnly> Days { get; private set; } = [];

    public IReadOnlyList<string> Endpoints { get; private set; } = [];

    public IReadOnlyList<string> Models { get; private set; } = [];

    public IReadOnlyList<ApiConnection> Connections => catalog.Connections;

    /// <summary>Failed batches' files are indexed in the background (<see cref="InsightOptions.IndexFailedBatchesWithin"/>).</summary>
    public bool IndexesFailures => options.Value.IndexFailedBatchesWithin is not null;

    public async Task LoadAsync(InsightQuery query, IReadOnlyList<string> problems, CancellationToken cancellationToken)
    {
        Query = query;
        Problems = problems;
        Today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var (from, to) = query.DaysAt(Today);
        Days = [.. Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(from.AddDays)];
        try
        {
            Report = await insights.GetReportAsync(query.ToFilter(Today), cancellationToken);
            (Endpoints, Models) = await batches.GetFacetsAsync(null, null, cancellationToken);
            Error = null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Data.Common.DbException or IOException)
        {
            logger.LogWarning(ex, "Reading the insights failed");
            Error = "The cache could not be read just now, so the figures are not shown. Reload the page to try again.";
        }
    }

    /// <summary>Batches (or requests) per day, a stack per final status.</summary>
    public IReadOnlyList<ChartLine> VolumeLines(bool requests)
    {
        var rows = Report?.Volume ?? [];
        return [.. Statuses
            .Where(s => rows.Any(r => r.Status == s.Status))
            .Select(s => new ChartLine(s.Label, s.Colour, PerDay(rows.Where(r => r.Status == s.Status), r => r.Day, r => requests ? r.Requests : r.Batches)))];
    }

    /// <summary>The phases the phase chart offers, one at a time (their lengths differ a hundredfold), and the whole.</summary>
    public static readonly IReadOnlyList<(string Name, string Label)> Phases =
    [
        ("validating", "Validating"),
        ("in_progress", "In progress"),
        ("finalizing", "Finalizing"),
        ("turnaround", "End to end"),
    ];

    /// <summary>A row's percentiles of the whole batch (<c>turnaround</c>) or of one phase (<see cref="Phases"/>).</summary>
    public static DurationStats StatsOf(DurationRow row, string measure) => measure switch
    {
        "validating" => row.Validating,
        "in_progress" => row.InProgress,
        "finalizing" => row.Finalizing,
        _ => row.Turnaround,
    };

    /// <summary>A phase's median and 90th percentile per day, in minutes (no point on a day without completed batches).</summary>
    public IReadOnlyList<ChartLine> PhaseLines(string phase)
    {
        var trend = (Report?.PhaseTrend ?? []).ToDictionary(t => t.Day);
        Func<PhaseTrendRow, DurationStats> stats = phase switch
        {
            "validating" => t => t.Validating,
            "in_progress" => t => t.InProgress,
            "turnaround" => t => t.Turnaround,
            _ => t => t.Finalizing,
        };
        ChartLine Line(string name, string colour, Func<DurationStats, TimeSpan?> percentile) => new(name, colour,
            [.. Days.Select(day => trend.TryGetValue(day, out var row) && percentile(stats(row)) is { } value ? Math.Round(value.TotalMinutes, 1) : (double?)null)]);
        return [Line("median", Palette[0], s => s.P50), Line("p90", Palette[1], s => s.P90)];
    }

    /// <summary>The failed share of finished requests per day, in percent.</summary>
    public IReadOnlyList<ChartLine> FailureLines()
    {
        var rows = (Report?.Failures ?? []).ToDictionary(f => f.Day);
        return [new ChartLine("failed share", Statuses[1].Colour,
            [.. Days.Select(day => rows.TryGetValue(day, out var row) && row.FailedShare is { } share ? Math.Round(share * 100, 2) : (double?)null)])];
    }

    /// <summary>Failed requests per day by error code: the most frequent codes, and the rest as one.</summary>
    public IReadOnlyList<ChartLine> ErrorLines()
    {
        var rows = Report?.Errors ?? [];
        return TopLines(rows, r => r.Code, r => r.Day, r => r.Requests, "other codes");
    }

    /// <summary>Cost per day by model, in dollars: the costliest models, and the rest as one.</summary>
    public IReadOnlyList<ChartLine> SpendLines()
    {
        var rows = Report?.Spend ?? [];
        return TopLines(rows, r => r.Model.Length == 0 ? "model not known" : r.Model, r => r.Day, r => (double)(r.Cost ?? 0), "other models");
    }

    /// <summary>Per model over the range: batches, tokens and cost (null when unpriced).</summary>
    public IReadOnlyList<(string Model, long Batches, long InputTokens, long CachedTokens, long OutputTokens, decimal? Cost)> SpendByModel() =>
        [.. (Report?.Spend ?? [])
            .GroupBy(r => r.Model)
            .Select(g => (g.Key, g.Sum(r => r.Batches), g.Sum(r => r.InputTokens), g.Sum(r => r.CachedTokens), g.Sum(r => r.OutputTokens),
                g.Any(r => r.Cost is null) ? null : (decimal?)g.Sum(r => r.Cost ?? 0)))
            .OrderByDescending(r => r.Item6 ?? -1).ThenBy(r => r.Key, StringComparer.Ordinal)];

    /// <summary>Failed requests by code over the range, most first.</summary>
    public IReadOnlyList<(string Code, long Requests)> ErrorTotals() => [.. (Report?.Errors ?? [])
        .GroupBy(r => r.Code).Select(g => (g.Key, g.Sum(r => r.Requests))).OrderByDescending(c => c.Item2).ThenBy(c => c.Key, StringComparer.Ordinal)];

    public long TotalBatches => Report?.Volume.Sum(v => v.Batches) ?? 0;

    public long TotalRequests => Report?.Volume.Sum(v => v.Requests) ?? 0;

    public decimal TotalCost => Report?.Spend.Sum(s => s.Cost ?? 0) ?? 0;

    public decimal WasteCost => Report?.Waste.Sum(w => w.Cost) ?? 0;

    public long WasteRequests => Report?.Waste.Sum(w => w.Unrun) ?? 0;

    public double? FailedShare => Report is { } report && report.Failures.Sum(f => f.Completed + f.Failed) is > 0 and var finished
        ? report.Failures.Sum(f => f.Failed) / (double)finished
        : null;

    /// <summary>The list of the batches behind a figure (see <see cref="InsightQuery.ListOf"/>).</summary>
    public string ListLink(DateOnly? day = null, string? status = null, string? model = null, string? endpoint = null, string? meta = null,
        BatchSortField sort = BatchSortField.Created, string? errorCode = null) =>
        DashboardUrls.Batches(Query.ListOf(Today, day, status, model, endpoint, meta, sort, errorCode));

    /// <summary>The list of the completed batches behind a turnaround row.</summary>
    public string DurationLink(DurationRow row) => row.Dimension switch
    {
        "model" => ListLink(status: "completed", model: row.Group, sort: BatchSortField.Duration),
        "endpoint" => ListLink(status: "completed", endpoint: row.Group, sort: BatchSortField.Duration),
        _ => ListLink(status: "completed", sort: BatchSortField.Duration),
    };

    public string CsvLink(string chart) => DashboardUrls.InsightsCsv(chart, Query);

    public static string Day(DateOnly day) => day.ToString("MMM d", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Money(decimal? value) => value is { } amount
        ? amount.ToString(amount is > 0 and < 1 ? "$#,##0.00##" : "$#,##0.00", CultureInfo.InvariantCulture)
        : "no price";

    public static string Percent(double? share) => share is { } value ? value.ToString("0.#%", CultureInfo.InvariantCulture) : "—";

    public static string Duration(TimeSpan? span) => span is { } value ? RelativeTime.Duration(value) : "—";

    private IReadOnlyList<double?> PerDay<T>(IEnumerable<T> rows, Func<T, DateOnly> day, Func<T, double> value)
    {
        var sums = rows.GroupBy(day).ToDictionary(g => g.Key, g => g.Sum(value));
        return [.. Days.Select(d => sums.TryGetValue(d, out var sum) ? sum : 0)];
    }

    private List<ChartLine> TopLines<T>(IReadOnlyList<T> rows, Func<T, string> name, Func<T, DateOnly> day, Func<T, double> value, string rest)
    {
        var ranked = rows.GroupBy(name).OrderByDescending(g => g.Sum(value)).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        var shown = ranked.Count > SeriesShown + 1 ? ranked.Take(SeriesShown).ToList() : ranked;
        var lines = shown.Select((g, i) => new ChartLine(g.Key, Palette[i % Palette.Count], PerDay(g, day, value))).ToList();
        if (shown.Count < ranked.Count)
        {
            lines.Add(new ChartLine(rest, Palette[^1], PerDay(ranked.Skip(SeriesShown).SelectMany(g => g), day, value)));
        }

        return lines;
    }
}
