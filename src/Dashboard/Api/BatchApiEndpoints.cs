using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Queries;
using BatchDashboard.Dashboard.Model;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Dashboard.Api;

/// <summary>
/// The JSON API and the exports, read from the cache like the pages and with the same query parameters as the list
/// page's URL (<see cref="BatchListQuery"/>): for other tools, and for an admin portal's own widgets.
/// </summary>
public static class BatchApiEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;
    private const int ExportPageSize = 500;

    public static RouteGroupBuilder MapBatchApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/batches");
        api.MapGet("", ListAsync);
        api.MapGet("/export.csv", ExportCsvAsync);
        api.MapGet("/export.json", ExportJsonAsync);
        api.MapGet("/{id}", GetAsync);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, IBatchQueries queries, IOptions<BatchInsightOptions> flags, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!TryQuery(context, out var query, out var problem))
        {
            return problem!;
        }

        var limitText = context.Request.Query["limit"].ToString();
        var limit = DefaultLimit;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return Error($"limit '{limitText}' must be a whole number from 1 to {MaxLimit}.", param: "limit");
        }

        var now = time.GetUtcNow();
        var page = await queries.ListAsync(query.ToRequest(limit, now), cancellationToken);
        var summary = await queries.SummarizeAsync(query.ToFilter(now), cancellationToken);
        var matching = query.Statuses.Count == 0 ? summary.Total
            : query.Statuses.Sum(s => summary.CountsByStatus.GetValueOrDefault(Core.Batches.BatchStatus.NameOf(s)));
        return Results.Json(
            new BatchPageResource([.. page.Items.Select(b => BatchResource.From(b, now, flags.Value))], page.NextCursor, matching, summary.NeedsAttention),
            DashboardApiJson.Default.BatchPageResource);
    }

    private static async Task<IResult> GetAsync(string id, string? connection, IBatchQueries queries, IOptions<BatchInsightOptions> flags, TimeProvider time, CancellationToken cancellationToken)
    {
        id = RouteValues.Id(id);
        var cached = await queries.GetAsync(id, connection, cancellationToken);
        if (cached is null)
        {
            return Results.Json(ApiErrorDetail.For(404, $"No batch '{id}' is cached{(connection is null ? "" : $" for connection '{connection}'")}."), DashboardApiJson.Default.ApiErrorResource, statusCode: 404);
        }

        var history = await queries.GetHistoryAsync(cached.ConnectionId, cached.Batch.Id, cancellationToken);
        return Results.Json(BatchResource.WithHistory(cached, history, time.GetUtcNow(), flags.Value), DashboardApiJson.Default.BatchResource);
    }

    private static async Task ExportJsonAsync(HttpContext context, IBatchQueries queries, IOptions<BatchInsightOptions> flags, TimeProvider time)
    {
        if (!TryQuery(context, out var query, out var problem))
        {
            await problem!.ExecuteAsync(context);
            return;
        }

        Attachment(context, "json", time);
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, AllAsync(queries, query, flags.Value, time, context.RequestAborted), DashboardApiJson.Default.IAsyncEnumerableBatchResource, context.RequestAborted);
    }

    private static async Task ExportCsvAsync(HttpContext context, IBatchQueries queries, IOptions<BatchInsightOptions> flags, TimeProvider time)
    {
        if (!TryQuery(context, out var query, out var problem))
        {
            await problem!.ExecuteAsync(context);
            return;
        }

        Attachment(context, "csv", time);
        context.Response.ContentType = "text/csv; charset=utf-8";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false), 64 * 1024);
        await writer.WriteLineAsync("id,connection,status,endpoint,model,created_at,in_progress_at,finalizing_at,completed_at,failed_at,expired_at,cancelled_at,expires_at,total,completed,failed,input_tokens,output_tokens,input_file_id,output_file_id,error_file_id,flags,metadata");
        await foreach (var batch in AllAsync(queries, query, flags.Value, time, context.RequestAborted))
        {
            await writer.WriteLineAsync(string.Join(',',
                Csv.Field(batch.Id), Csv.Field(batch.Connection), Csv.Field(batch.Status), Csv.Field(batch.Endpoint), Csv.Field(batch.Model),
                Csv.Time(batch.CreatedAt), Csv.Time(batch.InProgressAt), Csv.Time(batch.FinalizingAt), Csv.Time(batch.CompletedAt), Csv.Time(batch.FailedAt),
                Csv.Time(batch.ExpiredAt), Csv.Time(batch.CancelledAt), Csv.Time(batch.ExpiresAt),
                Csv.Number(batch.RequestCounts.Total), Csv.Number(batch.RequestCounts.Completed), Csv.Number(batch.RequestCounts.Failed),
                Csv.Number(batch.Usage?.InputTokens), Csv.Number(batch.Usage?.OutputTokens),
                Csv.Field(batch.InputFileId), Csv.Field(batch.OutputFileId), Csv.Field(batch.ErrorFileId),
                Csv.Field(string.Join(' ', batch.Flags)),
                Csv.Field(batch.Metadata.Count == 0 ? null : string.Join("; ", batch.Metadata.Select(m => $"{m.Key}={m.Value}")))));
        }
    }

    /// <summary>Every batch the query selects, a page at a time, so an export of 100,000 batches stays small in memory.</summary>
    private static async IAsyncEnumerable<BatchResource> AllAsync(IBatchQueries queries, BatchListQuery query, BatchInsightOptions flags, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        // One moment for the whole export, so a "created within" window does not move between its pages.
        var start = time.GetUtcNow();
        do
        {
            var page = await queries.ListAsync(query.ToRequest(ExportPageSize, start) with { Cursor = cursor }, cancellationToken);
            var now = time.GetUtcNow();
            foreach (var item in page.Items)
            {
                yield return BatchResource.From(item, now, flags);
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    private static bool TryQuery(HttpContext context, out BatchListQuery query, out IResult? problem)
    {
        var values = context.Request.Query;
        query = BatchListQuery.Parse(name => values.TryGetValue(name, out var value) ? string.Join(',', value.ToArray()) : null, out var problems);
        problem = problems.Count == 0 ? null : Error("The query has values that cannot be used:", problems);
        return problem is null;
    }

    private static IResult Error(string message, IReadOnlyList<string>? problems = null, string? param = null) =>
        Results.Json(ApiErrorDetail.For(400, message, problems, param), DashboardApiJson.Default.ApiErrorResource, statusCode: 400);

    private static void Attachment(HttpContext context, string extension, TimeProvider time) =>
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"batches-{time.GetUtcNow():yyyyMMdd-HHmm}.{extension}\"";
}
