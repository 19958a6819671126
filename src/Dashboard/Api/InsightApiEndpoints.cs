using System.Globalization;
using System.Text;
using BatchDashboard.Core.Insights;
using BatchDashboard.Dashboard.Model;

namespace BatchDashboard.Dashboard.Api;

/// <summary>Percentiles in seconds (null when no batch had the phase).</summary>
public sealed record DurationStatsResource(long Count, double? P50Seconds, double? P90Seconds, double? P99Seconds)
{
    public static DurationStatsResource From(DurationStats stats) =>
        new(stats.Count, stats.P50?.TotalSeconds, stats.P90?.TotalSeconds, stats.P99?.TotalSeconds);
}

public sealed record DurationResource(string Dimension, string Group, string Label, DurationStatsResource Turnaround, DurationStatsResource Validating,
    DurationStatsResource InProgress, DurationStatsResource Finalizing);

public sealed record PhaseTrendResource(DateOnly Day, DurationStatsResource Turnaround, DurationStatsResource Validating, DurationStatsResource InProgress,
    DurationStatsResource Finalizing);

public sealed record FailureResource(DateOnly Day, long Completed, long Failed, double? FailedShare);

/// <summary>
/// <c>GET /api/insights</c>: everything the insights page shows for its query. Days are UTC days of creation;
/// costs are in US dollars at batch prices (<c>BatchDashboard:Pricing</c>), null where a model has no price.
/// </summary>
public sealed record InsightReportResource(
    DateOnly From,
    DateOnly To,
    string? Connection,
    string? Endpoint,
    string? Model,
    string? Meta,
    string? Group,
    IReadOnlyList<VolumeRow> Volume,
    IReadOnlyList<DurationResource> Turnaround,
    IReadOnlyList<PhaseTrendResource> Phases,
    IReadOnlyList<FailureResource> Failures,
    IReadOnlyList<ErrorRow> Errors,
    long ErrorsCounted,
    long FailedRequests,
    IReadOnlyList<SpendRow> Spend,
    IReadOnlyList<GroupSpendRow> Groups,
    string? GroupProblem,
    IReadOnlyList<WasteRow> Waste,
    IReadOnlyList<string> MetadataKeys);

/// <summary>
/// <c>GET /api/insights</c> (JSON) and <c>GET /api/insights/{chart}.csv</c>, one file per chart of the insights page,
/// with the page's query string (<see cref="InsightQuery"/>). Read from the rollups, like the page.
/// </summary>
public static class InsightApiEndpoints
{
    /// <summary>The charts a CSV file is offered for, each with its columns.</summary>
    public static readonly IReadOnlyList<string> Charts = ["volume", "turnaround", "phases", "failures", "errors", "spend", "groups", "waste"];

    public static RouteGroupBuilder MapInsightApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/insights");
        api.MapGet("", GetAsync);
        api.MapGet("/{chart}.csv", CsvAsync);
        return api;
    }

    private static async Task<IResult> GetAsync(HttpContext context, IInsightQueries insights, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!TryQuery(context, out var query, out var problem))
        {
            return problem!;
        }

        var report = await insights.GetReportAsync(query.ToFilter(Today(time)), cancellationToken);
        return Results.Json(From(query, report), DashboardApiJson.Default.InsightReportResource);
    }

    private static async Task<IResult> CsvAsync(string chart, HttpContext context, IInsightQueries insights, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Charts.Contains(chart))
        {
            return Results.Json(ApiErrorDetail.For(404, $"There is no chart '{chart}': one of {string.Join(", ", Charts)}."), DashboardApiJson.Default.ApiErrorResource,
                statusCode: 404);
        }

        if (!TryQuery(context, out var query, out var problem))
        {
            return problem!;
        }

        var today = Today(time);
        var report = await insights.GetReportAsync(query.ToFilter(today), cancellationToken);
        var (from, to) = query.DaysAt(today);
        var name = $"insights-{chart}-{InsightQuery.Iso(from)}-{InsightQuery.Iso(to)}.csv";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
        return Results.Text(InsightCsv.Of(chart, report), "text/csv; charset=utf-8", new UTF8Encoding(false));
    }

    private static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    private static bool TryQuery(HttpContext context, out InsightQuery query, out IResult? problem)
    {
        var values = context.Request.Query;
        query = InsightQuery.Parse(name => values.TryGetValue(name, out var value) ? value.ToString() : null, out var problems);
        problem = problems.Count == 0 ? null
            : Results.Json(ApiErrorDetail.For(400, "The query has values that cannot be used:", problems), DashboardApiJson.Default.ApiErrorResource, statusCode: 400);
        return problem is null;
    }

    private static InsightReportResource From(InsightQuery query, InsightReport report) => new(
        report.Filter.From, report.Filter.To, query.Connection, query.Endpoint, query.Model, query.Meta, query.Group,
        report.Volume,
        [.. report.Durations.Select(d => new DurationResource(d.Dimension, d.Group, d.Label, DurationStatsResource.From(d.Turnaround),
            DurationStatsResource.From(d.Validating), DurationStatsResource.From(d.InProgress), DurationStatsResource.From(d.Finalizing)))],
        [.. report.PhaseTrend.Select(t => new PhaseTrendResource(t.Day, DurationStatsResource.From(t.Turnaround), DurationStatsResource.From(t.Validating),
            DurationStatsResource.From(t.InProgress), DurationStatsResource.From(t.Finalizing)))],
        [.. report.Failures.Select(f => new FailureResource(f.Day, f.Completed, f.Failed, f.FailedShare))],
        report.Errors, report.ErrorsCounted, report.FailedRequests, report.Spend, report.Groups, report.GroupProblem, report.Waste, report.MetadataKeys);
}

/// <summary>Each chart of the insights page as CSV: a header row, then its table's rows (durations in seconds, costs in USD).</summary>
public static class InsightCsv
{
    public static string Of(string chart, InsightReport report)
    {
        var text = new StringBuilder();
        void Row(params object?[] fields) => text.AppendLine(string.Join(',', fields.Select(Field)));
        switch (chart)
        {
            case "volume":
                Row("day", "status", "batches", "requests", "completed", "failed", "unrun");
                foreach (var r in report.Volume)
                {
                    Row(r.Day, r.Status, r.Batches, r.Requests, r.Completed, r.Failed, r.Unrun);
                }

                break;
            case "turnaround":
                Row("by", "group", "batches", "turnaround_p50_s", "turnaround_p90_s", "turnaround_p99_s", "validating_p50_s", "validating_p90_s",
                    "validating_p99_s", "in_progress_p50_s", "in_progress_p90_s", "in_progress_p99_s", "finalizing_p50_s", "finalizing_p90_s", "finalizing_p99_s");
                foreach (var r in report.Durations)
                {
                    Row(r.Dimension, r.Label, r.Turnaround.Count, r.Turnaround.P50, r.Turnaround.P90, r.Turnaround.P99, r.Validating.P50, r.Validating.P90,
                        r.Validating.P99, r.InProgress.P50, r.InProgress.P90, r.InProgress.P99, r.Finalizing.P50, r.Finalizing.P90, r.Finalizing.P99);
                }

                break;
            case "phases":
                Row("day", "batches", "turnaround_p50_s", "turnaround_p90_s", "validating_p50_s", "validating_p90_s", "in_progress_p50_s", "in_progress_p90_s",
                    "finalizing_p50_s", "finalizing_p90_s");
                foreach (var r in report.PhaseTrend)
                {
                    Row(r.Day, r.Turnaround.Count, r.Turnaround.P50, r.Turnaround.P90, r.Validating.P50, r.Validating.P90, r.InProgress.P50, r.InProgress.P90,
                        r.Finalizing.P50, r.Finalizing.P90);
                }

                break;
            case "failures":
                Row("day", "completed", "failed", "failed_share");
                foreach (var r in report.Failures)
                {
                    Row(r.Day, r.Completed, r.Failed, r.FailedShare);
                }

                break;
            case "errors":
                Row("day", "code", "requests");
                foreach (var r in report.Errors)
                {
                    Row(r.Day, r.Code, r.Requests);
                }

                break;
            case "spend":
                Row("day", "model", "batches", "input_tokens", "cached_tokens", "output_tokens", "cost_usd");
                foreach (var r in report.Spend)
                {
                    Row(r.Day, r.Model, r.Batches, r.InputTokens, r.CachedTokens, r.OutputTokens, r.Cost);
                }

                break;
            case "groups":
                Row(report.Filter.GroupBy ?? "value", "batches", "requests", "input_tokens", "cached_tokens", "output_tokens", "cost_usd", "unpriced_batches");
                foreach (var r in report.Groups)
                {
                    Row(r.Value ?? "(not set)", r.Batches, r.Requests, r.InputTokens, r.CachedTokens, r.OutputTokens, r.Cost, r.UnpricedBatches);
                }

                break;
            default:
                Row("status", "model", "batches", "unrun_requests", "unrun_input_tokens", "unrun_cost_usd", "batches_not_priced", "paid_usd");
                foreach (var r in report.Waste)
                {
                    Row(r.Status, r.Model, r.Batches, r.Unrun, r.UnrunInputTokens, r.Cost, r.UnknownBatches, r.PaidCost);
                }

                break;
        }

        return text.ToString();
    }

    private static string Field(object? value) => value switch
    {
        null => "",
        DateOnly day => InsightQuery.Iso(day),
        TimeSpan span => Math.Round(span.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        double number => number.ToString("0.######", CultureInfo.InvariantCulture),
        decimal money => money.ToString("0.######", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => Csv.Field(value.ToString()),
    };
}
