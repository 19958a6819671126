using System.Globalization;
using System.Text.Json;

namespace BatchDashboard.Core.Results;

/// <summary>What the index keeps of an input line.</summary>
internal readonly record struct InputLine(string CustomId, string? Model);

/// <summary>What the index keeps of an output or error line.</summary>
internal sealed record ResultLine(string CustomId, RequestOutcome Outcome, int? StatusCode, string? ErrorCode, string? ErrorMessage, TokenCounts Tokens);

/// <summary>
/// Reads the few fields the index needs from a line of a batch's files, skipping the rest (response bodies can be
/// large) without building a document. Tolerant as the rest of Core: fields may be missing, numbers may be strings,
/// and a custom_id that is a number is kept as its text. A line that is not a JSON object, or has no custom_id, is a
/// problem with a message, never an exception.
/// </summary>
internal static class ResultLineParser
{
    private const int MaxMessage = 1000;

    /// <summary>An input line's custom_id and model, or why it cannot be read.</summary>
    public static InputLine? ParseInput(ReadOnlySpan<byte> line, out string? problem)
    {
        try
        {
            if (FastInput(line) is { } input)
            {
                problem = null;
                return input;
            }
        }
        catch (JsonException)
        {
            // Read it the checking way, which says what is wrong.
        }

        return ParseInputChecked(line, out problem);
    }

    /// <summary>An output or error line's outcome, or why it cannot be read.</summary>
    public static ResultLine? ParseResult(ReadOnlySpan<byte> line, out string? problem)
    {
        try
        {
            if (FastResult(line) is { } result)
            {
                problem = null;
                return result;
            }
        }
        catch (JsonException)
        {
            // Read it the checking way, which says what is wrong.
        }

        return ParseResultChecked(line, out problem);
    }

    /// <summary>The walk that skips what the index does not need unread; null when it cannot follow the line.</summary>
    private static InputLine? FastInput(ReadOnlySpan<byte> line)
    {
        string? customId = null, model = null;
        var top = new RawJsonObject(line);
        while (top.Next(out var name, out var value))
        {
            if (name.SequenceEqual("custom_id"u8))
            {
                customId = Leaf(value);
            }
            else if (name.SequenceEqual("body"u8) && value[0] == (byte)'{')
            {
                var body = new RawJsonObject(value);
                while (body.Next(out var field, out var content))
                {
                    if (field.SequenceEqual("model"u8))
                    {
                        model = Leaf(content);
                    }
                }

                if (!body.Valid)
                {
                    return null;
                }
            }
        }

        return top.Valid && IsBlank(line[top.End..]) && !string.IsNullOrEmpty(customId) ? new InputLine(customId, model) : null;
    }

    private static ResultLine? FastResult(ReadOnlySpan<byte> line)
    {
        string? customId = null, errorCode = null, errorMessage = null, bodyErrorCode = null, bodyErrorType = null, bodyErrorMessage = null;
        int? statusCode = null;
        var hasResponse = false;
        var tokens = TokenCounts.Zero;
        var top = new RawJsonObject(line);
        while (top.Next(out var name, out var value))
        {
            if (name.SequenceEqual("custom_id"u8))
            {
                customId = Leaf(value);
            }
            else if (name.SequenceEqual("error"u8) && value[0] == (byte)'{')
            {
                var reader = Reader(value);
                ReadError(ref reader, out errorCode, out _, out errorMessage);
            }
            else if (name.SequenceEqual("response"u8) && value[0] == (byte)'{')
            {
                hasResponse = true;
                var response = new RawJsonObject(value);
                while (response.Next(out var field, out var content))
                {
                    if (field.SequenceEqual("status_code"u8))
                    {
                        var reader = Reader(content);
                        statusCode = (int?)Number(ref reader);
                    }
                    else if (field.SequenceEqual("body"u8) && content[0] == (byte)'{')
                    {
                        var body = new RawJsonObject(content);
                        while (body.Next(out var part, out var member))
                        {
                            if (part.SequenceEqual("usage"u8))
                            {
                                var reader = Reader(member);
                                tokens = Usage(ref reader);
                            }
                            else if (part.SequenceEqual("error"u8) && member[0] == (byte)'{')
                            {
                                var reader = Reader(member);
                                ReadError(ref reader, out bodyErrorCode, out bodyErrorType, out bodyErrorMessage);
                            }
                        }

                        if (!body.Valid)
                        {
                            return null;
                        }
                    }
                }

                if (!response.Valid)
                {
                    return null;
                }
            }
        }

        return top.Valid && IsBlank(line[top.End..]) && !string.IsNullOrEmpty(customId)
            ? Build(customId, hasResponse, statusCode, errorCode, errorMessage, bodyErrorCode, bodyErrorType, bodyErrorMessage, tokens)
            : null;
    }

    /// <summary>A reader placed on the first token of a small value, read in full (and so checked).</summary>
    private static Utf8JsonReader Reader(ReadOnlySpan<byte> value)
    {
        var reader = new Utf8JsonReader(value);
        reader.Read();
        return reader;
    }

    private static string? Leaf(ReadOnlySpan<byte> value)
    {
        var reader = Reader(value);
        return Text(ref reader);
    }

    private static bool IsBlank(ReadOnlySpan<byte> rest) => rest.IndexOfAnyExcept(" \t\r\n"u8) < 0;

    private static InputLine? ParseInputChecked(ReadOnlySpan<byte> line, out string? problem)
    {
        problem = null;
        string? customId = null, model = null;
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "The line is not a JSON object.";
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("custom_id"u8))
                {
                    reader.Read();
                    customId = Text(ref reader);
                }
                else if (reader.ValueTextEquals("body"u8))
                {
                    reader.Read();
                    model = ModelOf(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            ExpectEnd(ref reader);
        }
        catch (JsonException ex)
        {
            problem = $"The line is not valid JSON ({Trim(ex.Message)}).";
            return null;
        }

        if (string.IsNullOrEmpty(customId))
        {
            problem = "The line has no custom_id.";
            return null;
        }

        return new InputLine(customId, model);
    }

    private static ResultLine? ParseResultChecked(ReadOnlySpan<byte> line, out string? problem)
    {
        problem = null;
        string? customId = null, errorCode = null, errorMessage = null, bodyErrorCode = null, bodyErrorType = null, bodyErrorMessage = null;
        int? statusCode = null;
        var hasResponse = false;
        var tokens = TokenCounts.Zero;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "The line is not a JSON object.";
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("custom_id"u8))
                {
                    reader.Read();
                    customId = Text(ref reader);
                }
                else if (reader.ValueTextEquals("response"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        hasResponse = true;
                        ReadResponse(ref reader, ref statusCode, ref tokens, ref bodyErrorCode, ref bodyErrorType, ref bodyErrorMessage);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        ReadError(ref reader, out errorCode, out _, out errorMessage);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            ExpectEnd(ref reader);
        }
        catch (JsonException ex)
        {
            problem = $"The line is not valid JSON ({Trim(ex.Message)}).";
            return null;
        }

        if (string.IsNullOrEmpty(customId))
        {
            problem = "The line has no custom_id.";
            return null;
        }

        return Build(customId, hasResponse, statusCode, errorCode, errorMessage, bodyErrorCode, bodyErrorType, bodyErrorMessage, tokens);
    }

    /// <summary>What became of the request, from what its line says.</summary>
    private static ResultLine Build(string customId, bool hasResponse, int? statusCode, string? errorCode, string? errorMessage,
        string? bodyErrorCode, string? bodyErrorType, string? bodyErrorMessage, TokenCounts tokens)
    {
        RequestOutcome outcome;
        if (hasResponse && statusCode is >= 200 and < 300 && errorCode is null)
        {
            outcome = RequestOutcome.Succeeded;
        }
        else if (hasResponse && statusCode is >= 300)
        {
            outcome = RequestOutcome.HttpError;
            errorCode ??= bodyErrorCode ?? bodyErrorType ?? $"http_{statusCode.Value.ToString(CultureInfo.InvariantCulture)}";
            errorMessage ??= bodyErrorMessage;
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

        return new ResultLine(customId, outcome, statusCode, errorCode, Clip(errorMessage), tokens);
    }

    private static void ReadResponse(ref Utf8JsonReader reader, ref int? statusCode, ref TokenCounts tokens,
        ref string? errorCode, ref string? errorType, ref string? errorMessage)
    {
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.ValueTextEquals("status_code"u8))
            {
                reader.Read();
                statusCode = (int?)Number(ref reader);
            }
            else if (reader.ValueTextEquals("body"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                var bodyDepth = reader.CurrentDepth;
                while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == bodyDepth))
                {
                    if (reader.TokenType != JsonTokenType.PropertyName)
                    {
                        continue;
                    }

                    if (reader.ValueTextEquals("usage"u8))
                    {
                        reader.Read();
                        tokens = Usage(ref reader);
                    }
                    else if (reader.ValueTextEquals("error"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.StartObject)
                        {
                            ReadError(ref reader, out errorCode, out errorType, out errorMessage);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static void ReadError(ref Utf8JsonReader reader, out string? code, out string? type, out string? message)
    {
        code = type = message = null;
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                code = Text(ref reader);
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = Text(ref reader);
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                message = Text(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>Chat completions and embeddings name them prompt and completion tokens; responses, input and output.</summary>
    private static TokenCounts Usage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return TokenCounts.Zero;
        }

        long input = 0, cached = 0, output = 0, reasoning = 0;
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.ValueTextEquals("prompt_tokens"u8) || reader.ValueTextEquals("input_tokens"u8))
            {
                reader.Read();
                input = Number(ref reader) ?? input;
            }
            else if (reader.ValueTextEquals("completion_tokens"u8) || reader.ValueTextEquals("output_tokens"u8))
            {
                reader.Read();
                output = Number(ref reader) ?? output;
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8) || reader.ValueTextEquals("input_tokens_details"u8))
            {
                reader.Read();
                cached = Detail(ref reader, "cached_tokens"u8) ?? cached;
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8) || reader.ValueTextEquals("output_tokens_details"u8))
            {
                reader.Read();
                reasoning = Detail(ref reader, "reasoning_tokens"u8) ?? reasoning;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new TokenCounts(input, cached, output, reasoning);
    }

    private static long? Detail(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        long? value = null;
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals(name);
                reader.Read();
                if (match)
                {
                    value = Number(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return value;
    }

    private static string? ModelOf(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? model = null;
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals("model"u8);
                reader.Read();
                if (match)
                {
                    model = Text(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return model;
    }

    /// <summary>A string, a number as its text, or null for anything else.</summary>
    private static string? Text(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                return System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
            default:
                reader.Skip();
                return null;
        }
    }

    private static long? Number(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt64(out var value):
                return value;
            case JsonTokenType.Number when reader.TryGetDouble(out var real):
                return (long)real;
            case JsonTokenType.String when long.TryParse(reader.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed):
                return parsed;
            default:
                reader.Skip();
                return null;
        }
    }

    /// <summary>Nothing may follow the object but white space.</summary>
    private static void ExpectEnd(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0)
        {
            throw new JsonException("the object does not end");
        }

        if (reader.Read())
        {
            throw new JsonException("more follows the object");
        }
    }

    private static string? Clip(string? text) => text is { Length: > MaxMessage } ? text[..MaxMessage] + "…" : text;

    private static string Trim(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).TrimEnd('.');
    }
}
