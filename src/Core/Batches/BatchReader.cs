using System.Globalization;
using System.Text.Json;

namespace BatchDashboard.Core.Batches;

/// <summary>The outcome of reading one batch object: the batch, or why it could not be read (with its id if known).</summary>
public sealed record BatchReadResult(Batch? Batch, string? Id, string? Error)
{
    public bool Succeeded => Batch is not null;
}

/// <summary>
/// Reads Batch objects as OpenAI, Azure OpenAI and compatible providers send them. Only a missing id rejects a
/// batch: timestamps may be integers (64-bit, seconds or milliseconds), floats, numeric or ISO-8601 strings;
/// statuses any case; counts, usage, errors and metadata any shape, null or absent.
/// </summary>
public static class BatchReader
{
    private static readonly HashSet<string> KnownFields =
    [
        "id", "object", "endpoint", "model", "errors", "input_file_id", "completion_window", "status",
        "output_file_id", "error_file_id", "created_at", "in_progress_at", "expires_at", "finalizing_at",
        "completed_at", "failed_at", "expired_at", "cancelling_at", "cancelled_at", "request_counts", "usage", "metadata",
    ];

    // A value above this many seconds (year 5138) can only be milliseconds.
    private const long MillisecondThreshold = 100_000_000_000;

    public static BatchReadResult Read(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Read(document.RootElement);
        }
        catch (JsonException ex)
        {
            return new BatchReadResult(null, null, $"Not valid JSON: {ex.Message}");
        }
    }

    public static BatchReadResult Read(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return new BatchReadResult(null, null, $"Expected a JSON object, got {element.ValueKind}.");
        }

        var id = String(element, "id");
        if (string.IsNullOrWhiteSpace(id))
        {
            return new BatchReadResult(null, null, "The batch has no id.");
        }

        var batch = new Batch
        {
            Id = id,
            Object = String(element, "object"),
            Endpoint = String(element, "endpoint"),
            Model = String(element, "model"),
            InputFileId = String(element, "input_file_id"),
            CompletionWindow = String(element, "completion_window"),
            Status = BatchStatus.Parse(String(element, "status")),
            OutputFileId = String(element, "output_file_id"),
            ErrorFileId = String(element, "error_file_id"),
            CreatedAt = Timestamp(element, "created_at"),
            InProgressAt = Timestamp(element, "in_progress_at"),
            ExpiresAt = Timestamp(element, "expires_at"),
            FinalizingAt = Timestamp(element, "finalizing_at"),
            CompletedAt = Timestamp(element, "completed_at"),
            FailedAt = Timestamp(element, "failed_at"),
            ExpiredAt = Timestamp(element, "expired_at"),
            CancellingAt = Timestamp(element, "cancelling_at"),
            CancelledAt = Timestamp(element, "cancelled_at"),
            RequestCounts = ReadCounts(element),
            Usage = ReadUsage(element),
            Errors = ReadErrors(element),
            Metadata = ReadMetadata(element),
            ExtraFields = ReadExtraFields(element),
            RawJson = element.GetRawText(),
        };
        return new BatchReadResult(batch, id, null);
    }

    /// <summary>Unix seconds or milliseconds (number or numeric string, floats truncated) or an ISO-8601 string.</summary>
    public static DateTimeOffset? ReadTimestamp(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                if (value.TryGetInt64(out var whole))
                {
                    return FromUnix(whole);
                }

                return value.TryGetDouble(out var fractional) && double.IsFinite(fractional) && Math.Abs(fractional) < long.MaxValue
                    ? FromUnix((long)Math.Truncate(fractional))
                    : null;
            case JsonValueKind.String:
                var text = value.GetString()!.Trim();
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var numeric))
                {
                    return FromUnix(numeric);
                }

                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsedDouble) && double.IsFinite(parsedDouble)
                    && Math.Abs(parsedDouble) < long.MaxValue)
                {
                    return FromUnix((long)Math.Truncate(parsedDouble));
                }

                return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                    ? parsed.ToUniversalTime()
                    : null;
            default:
                return null;
        }
    }

    private static DateTimeOffset? FromUnix(long value)
    {
        try
        {
            return value > MillisecondThreshold || value < -MillisecondThreshold
                ? DateTimeOffset.FromUnixTimeMilliseconds(value)
                : DateTimeOffset.FromUnixTimeSeconds(value);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static DateTimeOffset? Timestamp(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? ReadTimestamp(value) : null;

    /// <summary>A string field; a number or boolean becomes its text, anything else null.</summary>
    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? AsText(value) : null;

    private static string? AsText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    private static long? Integer(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var whole) => whole,
            JsonValueKind.Number when value.TryGetDouble(out var fractional) && double.IsFinite(fractional) && Math.Abs(fractional) < long.MaxValue
                => (long)Math.Truncate(fractional),
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
    }

    private static int? Count(JsonElement element, string name) =>
        Integer(element, name) is { } value ? (int)Math.Clamp(value, int.MinValue, int.MaxValue) : null;

    private static RequestCounts? ReadCounts(JsonElement element)
    {
        if (element.TryGetProperty("request_counts", out var counts) && counts.ValueKind == JsonValueKind.Object)
        {
            return new RequestCounts(Count(counts, "total"), Count(counts, "completed"), Count(counts, "failed"));
        }

        // Some compatible providers put the counts at the top level instead.
        var total = Count(element, "total");
        return total is null ? null : new RequestCounts(total, Count(element, "completed"), Count(element, "failed"));
    }

    private static BatchUsage? ReadUsage(JsonElement element)
    {
        if (!element.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        long? cached = usage.TryGetProperty("input_tokens_details", out var input) ? Integer(input, "cached_tokens") : null;
        long? reasoning = usage.TryGetProperty("output_tokens_details", out var output) ? Integer(output, "reasoning_tokens") : null;
        return new BatchUsage(Integer(usage, "input_tokens"), cached, Integer(usage, "output_tokens"), reasoning, Integer(usage, "total_tokens"));
    }

    private static IReadOnlyList<BatchError> ReadErrors(JsonElement element)
    {
        if (!element.TryGetProperty("errors", out var errors))
        {
            return [];
        }

        // {object:"list", data:[...]} from OpenAI; a bare array or a plain string from some compatible servers.
        var items = errors.ValueKind switch
        {
            JsonValueKind.Object when errors.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array => data,
            JsonValueKind.Array => errors,
            _ => default,
        };

        if (errors.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(errors.GetString()))
        {
            return [new BatchError(null, errors.GetString(), null, null)];
        }

        if (items.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var list = new List<BatchError>();
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object)
            {
                list.Add(new BatchError(String(item, "code"), String(item, "message"), String(item, "param"), Count(item, "line")));
            }
            else if (AsText(item) is { } text)
            {
                list.Add(new BatchError(null, text, null, null));
            }
        }

        return list;
    }

    private static IReadOnlyDictionary<string, string> ReadMetadata(JsonElement element)
    {
        if (!element.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object)
        {
            return new Dictionary<string, string>();
        }

        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in metadata.EnumerateObject())
        {
            pairs[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        }

        return pairs;
    }

    private static IReadOnlyDictionary<string, string> ReadExtraFields(JsonElement element)
    {
        Dictionary<string, string>? extra = null;
        foreach (var property in element.EnumerateObject())
        {
            if (!KnownFields.Contains(property.Name))
            {
                (extra ??= new Dictionary<string, string>(StringComparer.Ordinal))[property.Name] = property.Value.GetRawText();
            }
        }

        return extra ?? (IReadOnlyDictionary<string, string>)new Dictionary<string, string>();
    }
}
