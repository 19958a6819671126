using System.Globalization;
using System.Text.Json;

namespace BatchDashboard.Core.Results;

/// <summary>What the index keeps of an input line.</summary>
internal readonly record struct InputLine(string CustomId, string? Model);

/// <summary>What the index keeps of an output or error line.</summary>
internal sealed record ResultLine(string CustomId, RequestOutcome Outcome, int? StatusCode, string? ErrorCode, string? ErrorMessage, TokenCounts Tokens);

/// <summary>
/// Reads the few fields the index needs from a line of a batch's files. The line is walked with
/// <see cref="RawJsonObject"/>, which skips what is not needed (response bodies can be large) without tokenizing it;
/// only the small values read (custom_id, status, usage, errors) are parsed. A line the walk cannot follow is parsed
/// whole, which either reads it or says what is wrong with it. Tolerant as the rest of Core: fields may be missing,
/// numbers may be strings, and a custom_id that is a number is kept as its text. A line that is not a JSON object, or
/// has no custom_id, is a problem with a message, never an exception.
/// </summary>
internal static class ResultLineParser
{
    private const int MaxMessage = 1000;

    /// <summary>The members of a result line the index reads, whichever way they were found.</summary>
    private sealed class Fields
    {
        public string? CustomId;
        public bool HasResponse;
        public int? StatusCode;
        public (string? Code, string? Type, string? Message) Error;
        public (string? Code, string? Type, string? Message) BodyError;
        public TokenCounts Tokens = TokenCounts.Zero;
    }

    public static InputLine? ParseInput(ReadOnlySpan<byte> line, out string? problem)
    {
        string? customId = null, model = null;
        try
        {
            var top = new RawJsonObject(line);
            while (top.Next(out var name))
            {
                if (name.SequenceEqual("custom_id"u8))
                {
                    customId = Text(top.Value());
                }
                else if (name.SequenceEqual("body"u8) && top.ValueIsObject)
                {
                    var body = top.Object();
                    while (body.Next(out var field))
                    {
                        if (field.SequenceEqual("model"u8))
                        {
                            model = Text(body.Value());
                        }
                    }

                    if (!top.Past(body))
                    {
                        return ParseInputWhole(line, out problem);
                    }
                }
            }

            if (!top.Valid || !IsBlank(line[top.End..]))
            {
                return ParseInputWhole(line, out problem);
            }
        }
        catch (JsonException)
        {
            return ParseInputWhole(line, out problem);
        }

        return Input(customId, model, out problem);
    }

    public static ResultLine? ParseResult(ReadOnlySpan<byte> line, out string? problem)
    {
        var fields = new Fields();
        try
        {
            var top = new RawJsonObject(line);
            while (top.Next(out var name))
            {
                if (name.SequenceEqual("custom_id"u8))
                {
                    fields.CustomId = Text(top.Value());
                }
                else if (name.SequenceEqual("error"u8) && top.ValueIsObject)
                {
                    fields.Error = ErrorOf(top.Value());
                }
                else if (name.SequenceEqual("response"u8) && top.ValueIsObject)
                {
                    fields.HasResponse = true;
                    var response = top.Object();
                    if (!ReadResponse(ref response, fields) || !top.Past(response))
                    {
                        return ParseResultWhole(line, out problem);
                    }
                }
            }

            if (!top.Valid || !IsBlank(line[top.End..]))
            {
                return ParseResultWhole(line, out problem);
            }
        }
        catch (JsonException)
        {
            return ParseResultWhole(line, out problem);
        }

        return Result(fields, out problem);
    }

    /// <summary>The response's status and, from its body, the usage and error; false when the walk cannot follow it.</summary>
    private static bool ReadResponse(ref RawJsonObject walker, Fields fields)
    {
        while (walker.Next(out var field))
        {
            if (field.SequenceEqual("status_code"u8))
            {
                fields.StatusCode = (int?)Number(walker.Value());
            }
            else if (field.SequenceEqual("body"u8) && walker.ValueIsObject)
            {
                var body = walker.Object();
                while (body.Next(out var part))
                {
                    if (part.SequenceEqual("usage"u8))
                    {
                        using var usage = JsonDocument.Parse(body.Value().ToArray());
                        fields.Tokens = UsageOf(usage.RootElement);
                    }
                    else if (part.SequenceEqual("error"u8) && body.ValueIsObject)
                    {
                        fields.BodyError = ErrorOf(body.Value());
                    }
                }

                if (!walker.Past(body))
                {
                    return false;
                }
            }
        }

        return walker.Valid;
    }

    /// <summary>The line parsed whole: read from the document, or what makes it unreadable (tests hold the walk to it).</summary>
    internal static ResultLine? ParseResultWhole(ReadOnlySpan<byte> line, out string? problem)
    {
        var fields = new Fields();
        if (Document(line, out problem) is not { } document)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            fields.CustomId = Text(root, "custom_id");
            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                fields.Error = ErrorOf(error);
            }

            if (root.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object)
            {
                fields.HasResponse = true;
                fields.StatusCode = response.TryGetProperty("status_code", out var status) ? (int?)Number(status) : null;
                if (response.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Object)
                {
                    fields.Tokens = body.TryGetProperty("usage", out var usage) ? UsageOf(usage) : TokenCounts.Zero;
                    if (body.TryGetProperty("error", out var bodyError) && bodyError.ValueKind == JsonValueKind.Object)
                    {
                        fields.BodyError = ErrorOf(bodyError);
                    }
                }
            }
        }

        return Result(fields, out problem);
    }

    /// <summary>An input line parsed whole, as <see cref="ParseResultWhole"/> parses a result line.</summary>
    internal static InputLine? ParseInputWhole(ReadOnlySpan<byte> line, out string? problem)
    {
        if (Document(line, out problem) is not { } document)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            var model = root.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Object ? Text(body, "model") : null;
            return Input(Text(root, "custom_id"), model, out problem);
        }
    }

    /// <summary>The line as a document when it is a JSON object; otherwise null and why.</summary>
    private static JsonDocument? Document(ReadOnlySpan<byte> line, out string? problem)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException ex)
        {
            problem = $"The line is not valid JSON ({Trim(ex.Message)}).";
            return null;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            problem = "The line is not a JSON object.";
            return null;
        }

        problem = null;
        return document;
    }

    private static InputLine? Input(string? customId, string? model, out string? problem)
    {
        problem = string.IsNullOrEmpty(customId) ? "The line has no custom_id." : null;
        return problem is null ? new InputLine(customId!, model) : null;
    }

    /// <summary>What became of the request, from what its line says.</summary>
    private static ResultLine? Result(Fields fields, out string? problem)
    {
        if (string.IsNullOrEmpty(fields.CustomId))
        {
            problem = "The line has no custom_id.";
            return null;
        }

        problem = null;
        var (errorCode, _, errorMessage) = fields.Error;
        RequestOutcome outcome;
        if (fields.HasResponse && fields.StatusCode is >= 200 and < 300 && errorCode is null)
        {
            outcome = RequestOutcome.Succeeded;
        }
        else if (fields.HasResponse && fields.StatusCode is >= 300)
        {
            outcome = RequestOutcome.HttpError;
            errorCode ??= fields.BodyError.Code ?? fields.BodyError.Type ?? $"http_{fields.StatusCode.Value.ToString(CultureInfo.InvariantCulture)}";
            errorMessage ??= fields.BodyError.Message;
        }
        else
        {
            outcome = errorCode switch
            {
                "batch_expired" => RequestOutcome.Expired,
                "batch_cancelled" or "batch_canceled" => RequestOutcome.Cancelled,
                _ => RequestOutcome.OtherError,
            };
            errorCode ??= "unknown_error";
        }

        return new ResultLine(fields.CustomId, outcome, fields.StatusCode, errorCode, Clip(errorMessage), fields.Tokens);
    }

    private static (string? Code, string? Type, string? Message) ErrorOf(ReadOnlySpan<byte> error)
    {
        using var document = JsonDocument.Parse(error.ToArray());
        return ErrorOf(document.RootElement);
    }

    private static (string? Code, string? Type, string? Message) ErrorOf(JsonElement error) =>
        (Text(error, "code"), Text(error, "type"), Text(error, "message"));

    /// <summary>Chat completions and embeddings name them prompt and completion tokens; responses, input and output.</summary>
    private static TokenCounts UsageOf(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return TokenCounts.Zero;
        }

        long Count(string name, string other) =>
            (usage.TryGetProperty(name, out var value) || usage.TryGetProperty(other, out value) ? Number(value) : null) ?? 0;

        long Detail(string name, string other, string field) =>
            (usage.TryGetProperty(name, out var details) || usage.TryGetProperty(other, out details)) && details.ValueKind == JsonValueKind.Object
            && details.TryGetProperty(field, out var value) ? Number(value) ?? 0 : 0;

        return new TokenCounts(
            Count("prompt_tokens", "input_tokens"),
            Detail("prompt_tokens_details", "input_tokens_details", "cached_tokens"),
            Count("completion_tokens", "output_tokens"),
            Detail("completion_tokens_details", "output_tokens_details", "reasoning_tokens"));
    }

    /// <summary>A small value found by the walk: a string, or a number as its text.</summary>
    private static string? Text(ReadOnlySpan<byte> value)
    {
        var reader = new Utf8JsonReader(value);
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            _ => null,
        };
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private static long? Number(ReadOnlySpan<byte> value)
    {
        using var document = JsonDocument.Parse(value.ToArray());
        return Number(document.RootElement);
    }

    private static long? Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var whole) => whole,
        JsonValueKind.Number when value.TryGetDouble(out var real) => (long)real,
        JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    private static bool IsBlank(ReadOnlySpan<byte> rest) => rest.IndexOfAnyExcept(" \t\r\n"u8) < 0;

    private static string? Clip(string? text) => text is { Length: > MaxMessage } ? text[..MaxMessage] + "…" : text;

    private static string Trim(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).TrimEnd('.');
    }
}
