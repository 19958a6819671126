using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace BatchDashboard.Emulator.Api;

/// <summary>The Files and Batches routes under <c>/v1</c>, with OpenAI's paths, shapes, status codes and errors.</summary>
internal sealed class EmulatorApi(EmulatorState state)
{
    private const int MaxBatchListLimit = 100;
    private const int MaxFileListLimit = 10_000;

    public void Map(IEndpointRouteBuilder routes)
    {
        var v1 = routes.MapGroup("/v1");
        v1.MapPost("/files", UploadFileAsync);
        v1.MapGet("/files", ListFilesAsync);
        v1.MapGet("/files/{id}", GetFileAsync);
        v1.MapGet("/files/{id}/content", GetFileContentAsync);
        v1.MapDelete("/files/{id}", DeleteFileAsync);
        v1.MapPost("/batches", CreateBatchAsync);
        v1.MapGet("/batches", ListBatchesAsync);
        v1.MapGet("/batches/{id}", GetBatchAsync);
        v1.MapPost("/batches/{id}/cancel", CancelBatchAsync);
        v1.MapFallback(context => EmulatorJson.WriteErrorAsync(
            context, new EmulatorError(404, $"Invalid URL ({context.Request.Method} {context.Request.Path})")));
    }

    // ---- Files -------------------------------------------------------------------------------------------------

    private async Task UploadFileAsync(HttpContext context)
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            await EmulatorJson.WriteErrorAsync(context, new EmulatorError(400, "Uploads must be sent as multipart/form-data with the fields 'file' and 'purpose'."));
            return;
        }

        var options = state.Options;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxUploadBytes + (1024 * 1024);
        }

        string? purpose = null, filename = null, path = null, anchor = null, seconds = null;
        try
        {
            var reader = new MultipartReader(boundary, context.Request.Body);
            while (await reader.ReadNextSectionAsync(context.RequestAborted) is { } section)
            {
                var disposition = section.GetContentDispositionHeader();
                var name = HeaderUtilities.RemoveQuotes(disposition?.Name ?? default).Value;
                if (disposition is null || name is null)
                {
                    continue;
                }

                if (name == "file" && path is null)
                {
                    filename = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "file";
                    path = state.NewUploadPath();
                    await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
                    await CopyLimitedAsync(section.Body, target, options.MaxUploadBytes, context.RequestAborted);
                }
                else
                {
                    using var text = new StreamReader(section.Body);
                    var value = await text.ReadToEndAsync(context.RequestAborted);
                    switch (name)
                    {
                        case "purpose": purpose = value; break;
                        case "expires_after[anchor]": anchor = value; break;
                        case "expires_after[seconds]": seconds = value; break;
                    }
                }
            }
        }
        catch (InvalidDataException ex)
        {
            DeleteQuietly(path);
            await EmulatorJson.WriteErrorAsync(context, new EmulatorError(400, $"The multipart body could not be read: {ex.Message}"));
            return;
        }
        catch (FileTooLargeException)
        {
            DeleteQuietly(path);
            await EmulatorJson.WriteErrorAsync(context, new EmulatorError(413, string.Create(CultureInfo.InvariantCulture, $"File is too large: the limit is {options.MaxUploadBytes:N0} bytes."), Param: "file"));
            return;
        }

        var problem = path is null ? new EmulatorError(400, "Missing required parameter: 'file'.", Param: "file", Code: "missing_required_parameter")
            : purpose is null ? new EmulatorError(400, "Missing required parameter: 'purpose'.", Param: "purpose", Code: "missing_required_parameter")
            : !EmulatorState.Purposes.Contains(purpose) ? new EmulatorError(400, $"Invalid value: '{purpose}'. Supported values are: {Quoted(EmulatorState.Purposes)}.", Param: "purpose", Code: "invalid_value")
            : purpose == "batch" && !filename!.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? new EmulatorError(400, "Invalid file format for Batch API. Must be .jsonl", Param: "file")
            : null;
        TimeSpan? expiresAfter = null;
        if (problem is null && (anchor is not null || seconds is not null))
        {
            if (anchor != "created_at" || !long.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var s) || s is < 3600 or > 2_592_000)
            {
                problem = new EmulatorError(400, "Invalid 'expires_after': anchor must be 'created_at' and seconds between 3600 and 2592000.", Param: "expires_after", Code: "invalid_value");
            }
            else
            {
                expiresAfter = TimeSpan.FromSeconds(s);
            }
        }

        if (problem is not null)
        {
            DeleteQuietly(path);
            await EmulatorJson.WriteErrorAsync(context, problem);
            return;
        }

        var file = state.RegisterUpload(path!, filename!, purpose!, expiresAfter);
        await EmulatorJson.WriteAsync(context, 200, writer => EmulatorJson.WriteFile(writer, file));
    }

    private async Task ListFilesAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (!TryLimit(query["limit"], MaxFileListLimit, MaxFileListLimit, out var limit, out var problem))
        {
            await EmulatorJson.WriteErrorAsync(context, problem!);
            return;
        }

        var order = query["order"].ToString();
        if (order is not ("" or "asc" or "desc"))
        {
            await EmulatorJson.WriteErrorAsync(context, new EmulatorError(400, $"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.", Param: "order", Code: "invalid_value"));
            return;
        }

        var purpose = query["purpose"].ToString();
        var page = state.ListFiles(purpose.Length == 0 ? null : purpose, order == "asc", NullIfEmpty(query["after"]), limit, out var error);
        if (error is not null)
        {
            await EmulatorJson.WriteErrorAsync(context, error);
            return;
        }

        await EmulatorJson.WriteAsync(context, 200, writer => EmulatorJson.WriteList(writer, page.Items, page.HasMore, f => f.Id, EmulatorJson.WriteFile));
    }

    private async Task GetFileAsync(HttpContext context, string id)
    {
        if (state.FindFile(id) is not { } file)
        {
            await EmulatorJson.WriteErrorAsync(context, EmulatorError.NoSuchFile(id));
            return;
        }

        await EmulatorJson.WriteAsync(context, 200, writer => EmulatorJson.WriteFile(writer, file));
    }

    private async Task GetFileContentAsync(HttpContext context, string id)
    {
        if (state.FindFile(id) is not { } file)
        {
            await EmulatorJson.WriteErrorAsync(context, EmulatorError.NoSuchFile(id));
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = file.Content.Length;
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{file.Filename}\"";
        await file.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private async Task DeleteFileAsync(HttpContext context, string id)
    {
        if (!state.DeleteFile(id))
        {
            await EmulatorJson.WriteErrorAsync(context, EmulatorError.NoSuchFile(id));
            return;
        }

        await EmulatorJson.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("object", "file");
            writer.WriteBoolean("deleted", true);
            writer.WriteEndObject();
        });
    }

    // ---- Batches -----------------------------------------------------------------------------------------------

    private async Task CreateBatchAsync(HttpContext context)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            await EmulatorJson.WriteErrorAsync(context, new EmulatorError(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"));
            return;
        }

        using (document)
        {
            var (args, problem) = ReadCreateArgs(document.RootElement);
            if (problem is not null)
            {
                await EmulatorJson.WriteErrorAsync(context, problem);
                return;
            }

            var (batch, error) = state.CreateBatch(args!);
            if (error is not null)
            {
                await EmulatorJson.WriteErrorAsync(context, error);
                return;
            }

            var snapshot = batch!.Project(state.Now);
            await EmulatorJson.WriteAsync(context, 200, writer => EmulatorJson.WriteBatch(writer, batch, snapshot));
        }
    }

    private static (CreateBatchArgs? Args, EmulatorError? Problem) ReadCreateArgs(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, new EmulatorError(400, "The request body must be a JSON object."));
        }

        string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        EmulatorError Missing(string name) => new(400, $"Missing required parameter: '{name}'.", Param: name, Code: "missing_required_parameter");

        var inputFileId = Text("input_file_id");
        var endpoint = Text("endpoint");
        var window = Text("completion_window");
        if (string.IsNullOrEmpty(inputFileId))
        {
            return (null, Missing("input_file_id"));
        }

        if (endpoint is null)
        {
            return (null, Missing("endpoint"));
        }

        if (!EmulatorState.Endpoints.Contains(endpoint))
        {
            return (null, new EmulatorError(400, $"Invalid value: '{endpoint}'. Supported values are: {Quoted(EmulatorState.Endpoints)}.", Param: "endpoint", Code: "invalid_value"));
        }

        if (window is null)
        {
            return (null, Missing("completion_window"));
        }

        if (window != "24h")
        {
            return (null, new EmulatorError(400, $"Invalid value: '{window}'. Supported values are: '24h'.", Param: "completion_window", Code: "invalid_value"));
        }

        List<KeyValuePair<string, string>>? metadata = null;
        if (root.TryGetProperty("metadata", out var meta) && meta.ValueKind != JsonValueKind.Null)
        {
            if (meta.ValueKind != JsonValueKind.Object)
            {
                return (null, new EmulatorError(400, "Invalid type for 'metadata': expected an object, but got something else instead.", Param: "metadata", Code: "invalid_type"));
            }

            metadata = [];
            foreach (var pair in meta.EnumerateObject())
            {
                if (pair.Value.ValueKind != JsonValueKind.String)
                {
                    return (null, new EmulatorError(400, $"Invalid type for 'metadata.{pair.Name}': expected a string, but got {pair.Value.ValueKind.ToString().ToLowerInvariant()} instead.", Param: $"metadata.{pair.Name}", Code: "invalid_type"));
                }

                if (pair.Name.Length > 64)
                {
                    return (null, new EmulatorError(400, $"Invalid 'metadata': key '{pair.Name[..16]}…' is {pair.Name.Length} characters long; the limit is 64.", Param: "metadata", Code: "invalid_value"));
                }

                var value = pair.Value.GetString()!;
                if (value.Length > 512)
                {
                    return (null, new EmulatorError(400, $"Invalid 'metadata.{pair.Name}': string too long. Expected a string with maximum length 512, but got a string with length {value.Length} instead.", Param: $"metadata.{pair.Name}", Code: "string_above_max_length"));
                }

                metadata.Add(new(pair.Name, value));
            }

            if (metadata.Count > 16)
            {
                return (null, new EmulatorError(400, $"Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with {metadata.Count} properties instead.", Param: "metadata", Code: "object_above_max_properties"));
            }
        }

        TimeSpan? outputExpiresAfter = null;
        if (root.TryGetProperty("output_expires_after", out var expiry) && expiry.ValueKind != JsonValueKind.Null)
        {
            if (expiry.ValueKind != JsonValueKind.Object
                || !expiry.TryGetProperty("anchor", out var anchor) || anchor.ValueKind != JsonValueKind.String || anchor.GetString() != "created_at"
                || !expiry.TryGetProperty("seconds", out var seconds) || !seconds.TryGetInt64(out var s) || s is < 3600 or > 2_592_000)
            {
                return (null, new EmulatorError(400, "Invalid 'output_expires_after': anchor must be 'created_at' and seconds between 3600 and 2592000.", Param: "output_expires_after", Code: "invalid_value"));
            }

            outputExpiresAfter = TimeSpan.FromSeconds(s);
        }

        return (new CreateBatchArgs(inputFileId, endpoint, window, metadata, outputExpiresAfter), null);
    }

    private async Task ListBatchesAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (!TryLimit(query["limit"], 20, MaxBatchListLimit, out var limit, out var problem))
        {
            await EmulatorJson.WriteErrorAsync(context, problem!);
            return;
        }

        var page = state.ListBatches(NullIfEmpty(query["after"]), limit, out var error);
        if (error is not null)
        {
            await EmulatorJson.WriteErrorAsync(context, error);
            return;
        }

        await EmulatorJson.WriteAsync(context, 200, writer => EmulatorJson.WriteList(
            writer, page.Items, page.HasMore, item => item.Batch.Id, (w, item) => EmulatorJson.WriteBatch(w, item.Batch, item.Snapshot)));
    }

    private async Task GetBatchAsync(HttpContext context, string id)
    {
        if (state.FindBatch(id) is not { } found)
        {
            await EmulatorJson.WriteErrorAsync(context, EmulatorError.NoSuchBatch(id));
            return;
        }

        await EmulatorJson.WriteAsync(context, 200, writer => EmulatorJson.WriteBatch(writer, found.Batch, found.Snapshot));
    }

    private async Task CancelBatchAsync(HttpContext context, string id)
    {
        var (batch, snapshot, error) = state.Cancel(id);
        if (error is not null)
        {
            await EmulatorJson.WriteErrorAsync(context, error);
            return;
        }

        await EmulatorJson.WriteAsync(context, 200, writer => EmulatorJson.WriteBatch(writer, batch!, snapshot!));
    }

    // ---- Helpers -----------------------------------------------------------------------------------------------

    private static bool TryLimit(Microsoft.Extensions.Primitives.StringValues raw, int fallback, int max, out int limit, out EmulatorError? problem)
    {
        problem = null;
        limit = fallback;
        if (raw.Count == 0 || string.IsNullOrEmpty(raw[0]))
        {
            return true;
        }

        if (!int.TryParse(raw[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit))
        {
            problem = new EmulatorError(400, $"Invalid type for 'limit': expected an integer, but got a string instead.", Param: "limit", Code: "invalid_type");
            return false;
        }

        if (limit < 1 || limit > max)
        {
            problem = new EmulatorError(400, string.Create(CultureInfo.InvariantCulture, $"Invalid 'limit': integer {(limit < 1 ? "below minimum value. Expected a value >= 1" : $"above maximum value. Expected a value <= {max}")}, but got {limit} instead."), Param: "limit", Code: limit < 1 ? "integer_below_min_value" : "integer_above_max_value");
            return false;
        }

        return true;
    }

    private static async Task CopyLimitedAsync(Stream source, Stream target, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                throw new FileTooLargeException();
            }

            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private static string Quoted(IEnumerable<string> values) => string.Join(", ", values.Select(v => $"'{v}'"));

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) => string.IsNullOrEmpty(value) ? null : value.ToString();

    private static void DeleteQuietly(string? path)
    {
        if (path is not null && File.Exists(path))
        {
            File.Delete(path);
        }
    }

#pragma warning disable CA1064 // Private to this class: thrown and caught here only.
    private sealed class FileTooLargeException : Exception;
#pragma warning restore CA1064
}
