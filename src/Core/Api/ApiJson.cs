using System.Net;
using System.Text.Json;
using BatchDashboard.Core.Batches;

namespace BatchDashboard.Core.Api;

/// <summary>One page of the batch list. Items that could not be read are in <see cref="Rejected"/>, not lost silently.</summary>
public sealed record BatchPage(IReadOnlyList<Batch> Batches, IReadOnlyList<BatchReadResult> Rejected, bool HasMore, string? FirstId, string? LastId)
{
    /// <summary>The cursor for the next page: <c>last_id</c>, or the last item's id when the envelope has none.</summary>
    public string? NextCursor => LastId ?? (Batches.Count > 0 ? Batches[^1].Id : null);
}

/// <summary>A file as <c>GET /files/{id}</c> describes it.</summary>
public sealed record BatchFile(string Id, string? FileName, string? Purpose, long? Bytes, DateTimeOffset? CreatedAt, DateTimeOffset? ExpiresAt, string? Status, string RawJson);

/// <summary>Readers for the API's envelopes, as tolerant as <see cref="BatchReader"/>.</summary>
public static class ApiJson
{
    /// <summary>
    /// Reads a list page: <c>{object, data, first_id?, last_id?, has_more?}</c>, or a bare array as some compatible
    /// providers send. A missing <c>has_more</c> means more only when the page came back full.
    /// </summary>
    public static BatchPage ReadBatchPage(JsonElement root, int requestedLimit)
    {
        JsonElement data;
        bool? hasMore = null;
        string? firstId = null, lastId = null;
        if (root.ValueKind == JsonValueKind.Array)
        {
            data = root;
        }
        else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out data) && data.ValueKind == JsonValueKind.Array)
        {
            if (root.TryGetProperty("has_more", out var more) && more.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                hasMore = more.GetBoolean();
            }

            firstId = root.TryGetProperty("first_id", out var first) && first.ValueKind == JsonValueKind.String ? first.GetString() : null;
            lastId = root.TryGetProperty("last_id", out var last) && last.ValueKind == JsonValueKind.String ? last.GetString() : null;
        }
        else
        {
            throw new JsonException("A list page must be an object with a 'data' array.");
        }

        var batches = new List<Batch>(data.GetArrayLength());
        var rejected = new List<BatchReadResult>();
        foreach (var item in data.EnumerateArray())
        {
            var result = BatchReader.Read(item);
            if (result.Batch is { } batch)
            {
                batches.Add(batch);
            }
            else
            {
                rejected.Add(result with { Id = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var id) ? id.ToString() : null });
            }
        }

        var count = data.GetArrayLength();
        return new BatchPage(batches, rejected, hasMore ?? (count > 0 && count >= requestedLimit), firstId, lastId);
    }

    public static BatchFile ReadFile(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String)
        {
            throw new JsonException("A file object must have a string 'id'.");
        }

        static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        static DateTimeOffset? Time(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? BatchReader.ReadTimestamp(v) : null;
        long? bytes = root.TryGetProperty("bytes", out var b) && b.ValueKind == JsonValueKind.Number && b.TryGetInt64(out var n) ? n : null;
        return new BatchFile(id.GetString()!, Text(root, "filename"), Text(root, "purpose"), bytes, Time(root, "created_at"), Time(root, "expires_at"),
            Text(root, "status"), root.GetRawText());
    }

    /// <summary>
    /// Turns an error answer into <see cref="BatchApiException"/>: the API's <c>{"error":{message,type,param,code}}</c>
    /// (extra keys such as <c>detail</c> ignored), a bare error object, or anything else (an HTML page) summarised.
    /// </summary>
    public static BatchApiException ReadError(HttpStatusCode status, string? body, string? requestId)
    {
        var kind = status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? ApiFailureKind.Unauthorized : ApiFailureKind.HttpError;
        string? message = null, type = null, code = null, param = null;
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var wrapped) ? wrapped : root;
                if (error.ValueKind == JsonValueKind.Object)
                {
                    message = TextOf(error, "message");
                    type = TextOf(error, "type");
                    code = TextOf(error, "code");
                    param = TextOf(error, "param");
                }
                else if (error.ValueKind == JsonValueKind.String)
                {
                    message = error.GetString();
                }
            }
            catch (JsonException)
            {
                message = $"The API answered with a non-JSON body: {Shorten(body)}";
            }
        }

        message ??= $"The API answered {(int)status} {status} with no error message.";
        return new BatchApiException(kind, message, status, type, code, param, requestId);
    }

    private static string? TextOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number ? value.ToString() : null;

    private static string Shorten(string body)
    {
        var flat = string.Join(' ', body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 160 ? flat : flat[..160] + "…";
    }
}
