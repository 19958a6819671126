using System.Globalization;
using System.Text;
using System.Text.Json;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Results;
using BatchDashboard.Dashboard.Model;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Dashboard.Api;

/// <summary>
/// A batch's files and results for other tools: the original files, streamed through the server so the key stays
/// there; the results index as JSON; and the filtered requests as CSV or JSONL, with the results page's parameters.
/// </summary>
public static class ResultApiEndpoints
{
    public static RouteGroupBuilder MapResultApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/batches/{id}");
        api.MapGet("/files/{kind}", FileAsync);
        api.MapGet("/results", ListAsync);
        api.MapGet("/results/summary", SummaryAsync);
        api.MapGet("/results/requests/{customId}", RequestAsync);
        api.MapGet("/results/export.csv", ExportCsvAsync);
        api.MapGet("/results/export.jsonl", ExportJsonlAsync);
        api.MapGet("/results/inputs.jsonl", InputsAsync);
        return api;
    }

    /// <summary>The original file: the local copy when there is one, otherwise straight from the API.</summary>
    private static async Task<IResult> FileAsync(string id, string kind, string? connection, IBatchQueries queries, IResultQueries results,
        IConnectionCatalog catalog, IBatchApiClientFactory clients, HttpContext context, CancellationToken cancellationToken)
    {
        id = RouteValues.Id(id);
        if (!Enum.TryParse<ResultFileKind>(kind, ignoreCase: true, out var fileKind))
        {
            return Error($"'{kind}' is not a file of a batch: input, output or error.", 400);
        }

        if (await queries.GetAsync(id, connection, cancellationToken) is not { } cached)
        {
            return NotCached(id);
        }

        var fileId = fileKind switch
        {
            ResultFileKind.Input => cached.Batch.InputFileId,
            ResultFileKind.Output => cached.Batch.OutputFileId,
            _ => cached.Batch.ErrorFileId,
        };
        if (fileId is null)
        {
            return Error($"Batch '{id}' has no {kind} file.", 404);
        }

        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{Path.GetFileName(ResultFilesFolder.RelativePath(cached.ConnectionId, fileId))}\"";
        if (await results.OpenLocalCopyAsync(cached.ConnectionId, id, fileKind, cancellationToken) is { } copy)
        {
            return Results.Stream(copy, "application/jsonl");
        }

        if (catalog.Find(cached.ConnectionId) is not { } source)
        {
            return Error($"The connection '{cached.ConnectionId}' is not configured any more, and no local copy of the file is kept.", 404);
        }

        try
        {
            var stream = await clients.Create(source).OpenFileContentAsync(fileId, cancellationToken);
            return stream is null
                ? Error($"The API no longer has file '{fileId}' (it deletes batch files after 30 days), and it was not indexed before.", 404)
                : Results.Stream(stream, "application/jsonl");
        }
        catch (BatchApiException ex)
        {
            return Error($"The API answered: {ex.Summary}", 502);
        }
    }

    private static async Task<IResult> ListAsync(string id, HttpContext context, IBatchQueries queries, IResultQueries results, IResultIndexing indexing, CancellationToken cancellationToken)
    {
        id = RouteValues.Id(id);
        if (!TryQuery(context, out var query, out var problem))
        {
            return problem!;
        }

        if (await queries.GetAsync(id, query.Connection, cancellationToken) is not { } cached)
        {
            return NotCached(id);
        }

        var limitText = context.Request.Query["limit"].ToString();
        var limit = 100;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            return Error($"limit '{limitText}' must be a whole number from 1 to 1000.", 400);
        }

        await IndexOnDemandAsync(cached, results, indexing, cancellationToken);
        var page = await results.ListAsync(cached.ConnectionId, id, query.ToFilter(), query.After, limit, cancellationToken);
        return Results.Json(new ResultPageResource([.. page.Items.Select(ResultRowResource.From)], page.NextCursor?.ToString(CultureInfo.InvariantCulture)), DashboardApiJson.Default.ResultPageResource);
    }

    private static async Task<IResult> SummaryAsync(string id, string? connection, IBatchQueries queries, IResultQueries results, IResultIndexing indexing,
        IOptions<PricingOptions> pricing, CancellationToken cancellationToken)
    {
        id = RouteValues.Id(id);
        if (await queries.GetAsync(id, connection, cancellationToken) is not { } cached)
        {
            return NotCached(id);
        }

        var files = await IndexOnDemandAsync(cached, results, indexing, cancellationToken);
        var summary = await results.SummarizeAsync(cached.ConnectionId, id, cancellationToken);
        var model = cached.Batch.Model ?? summary.Model;
        return Results.Json(ResultSummaryResource.From(summary, files, model, pricing.Value.Estimate(model, summary.Tokens)), DashboardApiJson.Default.ResultSummaryResource);
    }

    private static async Task<IResult> RequestAsync(string id, string customId, string? connection, IBatchQueries queries, IResultQueries results, CancellationToken cancellationToken)
    {
        id = RouteValues.Id(id);
        if (await queries.GetAsync(id, connection, cancellationToken) is not { } cached)
        {
            return NotCached(id);
        }

        return await results.GetAsync(cached.ConnectionId, id, customId, cancellationToken) is { } detail
            ? Results.Json(ResultDetailResource.From(detail), DashboardApiJson.Default.ResultDetailResource)
            : Error($"No request '{customId}' is indexed for batch '{id}'.", 404);
    }

    private static async Task ExportCsvAsync(string id, HttpContext context, IBatchQueries queries, IResultQueries results)
    {
        id = RouteValues.Id(id);
        if (await PrepareAsync(id, context, queries, "csv") is not { } target)
        {
            return;
        }

        context.Response.ContentType = "text/csv; charset=utf-8";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false), 64 * 1024);
        await writer.WriteLineAsync("custom_id,outcome,status_code,error_code,error_message,input_tokens,cached_tokens,output_tokens,reasoning_tokens,input_line,result_file,result_line");
        await foreach (var row in results.AllAsync(target.ConnectionId, id, target.Query.ToFilter(), context.RequestAborted))
        {
            await writer.WriteLineAsync(string.Join(',',
                Csv.Field(row.CustomId), OutcomeDisplay.Name(row.Outcome), Csv.Number(row.StatusCode), Csv.Field(row.ErrorCode), Csv.Field(row.ErrorMessage),
                Csv.Number(row.Tokens.Input), Csv.Number(row.Tokens.Cached), Csv.Number(row.Tokens.Output), Csv.Number(row.Tokens.Reasoning),
                Csv.Number(row.InputLine), row.ResultKind?.ToString().ToLowerInvariant() ?? "", Csv.Number(row.ResultLine)));
        }
    }

    /// <summary>One JSON object a request: its outcome, and its input and result lines as the files hold them.</summary>
    private static async Task ExportJsonlAsync(string id, HttpContext context, IBatchQueries queries, IResultQueries results)
    {
        id = RouteValues.Id(id);
        if (await PrepareAsync(id, context, queries, "jsonl") is not { } target)
        {
            return;
        }

        context.Response.ContentType = "application/jsonl; charset=utf-8";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(16 * 1024);
        await using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        await foreach (var detail in results.DetailsAsync(target.ConnectionId, id, target.Query.ToFilter(), context.RequestAborted))
        {
            writer.WriteStartObject();
            writer.WriteString("custom_id", detail.Row.CustomId);
            writer.WriteString("outcome", OutcomeDisplay.Name(detail.Row.Outcome));
            WriteRawOrNull(writer, "request", detail.InputLine);
            WriteRawOrNull(writer, "result", detail.ResultLine);
            writer.WriteEndObject();
            writer.Flush();
            System.Buffers.BuffersExtensions.Write(buffer, "\n"u8);
            await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
        }
    }

    /// <summary>The input lines of the filtered requests: a file to fix and submit again.</summary>
    private static async Task InputsAsync(string id, HttpContext context, IBatchQueries queries, IResultQueries results)
    {
        id = RouteValues.Id(id);
        if (await PrepareAsync(id, context, queries, "inputs.jsonl") is not { } target)
        {
            return;
        }

        context.Response.ContentType = "application/jsonl; charset=utf-8";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false), 64 * 1024) { NewLine = "\n" };
        await foreach (var detail in results.DetailsAsync(target.ConnectionId, id, target.Query.ToFilter(), context.RequestAborted))
        {
            if (detail.InputLine is { } line)
            {
                await writer.WriteLineAsync(line);
            }
        }
    }

    /// <summary>Asks for the batch's files to be indexed when some are not yet: callers poll until the files say indexed.</summary>
    private static async Task<IReadOnlyList<ResultFileStatus>> IndexOnDemandAsync(CachedBatch cached, IResultQueries results, IResultIndexing indexing, CancellationToken cancellationToken)
    {
        var files = await results.GetFilesAsync(cached.ConnectionId, cached.Batch.Id, cancellationToken);
        var named = new[] { cached.Batch.InputFileId, cached.Batch.OutputFileId, cached.Batch.ErrorFileId }.Count(f => f is not null);
        if (files.Count < named || files.Any(f => f.State == ResultFileState.Waiting))
        {
            indexing.Request(cached.ConnectionId, cached.Batch.Id);
        }

        return files;
    }

    private static void WriteRawOrNull(Utf8JsonWriter writer, string name, string? json)
    {
        writer.WritePropertyName(name);
        if (json is null)
        {
            writer.WriteNullValue();
            return;
        }

        try
        {
            writer.WriteRawValue(json, skipInputValidation: false);
        }
        catch (JsonException)
        {
            writer.WriteStringValue(json); // a line that is not JSON, kept as text
        }
    }

    private static async Task<(string ConnectionId, ResultListQuery Query)?> PrepareAsync(string id, HttpContext context, IBatchQueries queries, string extension)
    {
        if (!TryQuery(context, out var query, out var problem))
        {
            await problem!.ExecuteAsync(context);
            return null;
        }

        if (await queries.GetAsync(id, query.Connection, context.RequestAborted) is not { } cached)
        {
            await NotCached(id).ExecuteAsync(context);
            return null;
        }

        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{id}-results.{extension}\"";
        return (cached.ConnectionId, query);
    }

    private static bool TryQuery(HttpContext context, out ResultListQuery query, out IResult? problem)
    {
        var values = context.Request.Query;
        query = ResultListQuery.Parse(name => values.TryGetValue(name, out var value) ? string.Join(',', value.ToArray()) : null, out var problems);
        problem = problems.Count == 0 ? null
            : Results.Json(ApiErrorDetail.For(400, "The query has values that cannot be used:", problems), DashboardApiJson.Default.ApiErrorResource, statusCode: 400);
        return problem is null;
    }

    private static IResult NotCached(string id) => Error($"No batch '{id}' is cached.", 404);

    private static IResult Error(string message, int status) =>
        Results.Json(ApiErrorDetail.For(status, message), DashboardApiJson.Default.ApiErrorResource, statusCode: status);
}
