using System.Globalization;
using System.Text.Json;
using BatchDashboard.Tokens;

namespace BatchDashboard.Emulator.Simulation;

/// <summary>One accepted input line: its id and the size of its body, from which the simulation derives tokens.</summary>
internal readonly record struct InputLine(string CustomId, int BodyBytes);

/// <summary>What validating an input file found.</summary>
/// <param name="PromptTokens">The file's prompt tokens, as a queued-token limit counts them.</param>
internal sealed record InputCheck(IReadOnlyList<InputLine> Lines, string? Model, IReadOnlyList<ValidationError> Errors, long PromptTokens = 0);

/// <summary>
/// Checks a batch input file as OpenAI does while a batch is <c>validating</c>: one JSON object per line (blank lines
/// ignored), <c>custom_id</c> present and unique, <c>method</c> POST, <c>url</c> equal to the batch's endpoint, one
/// model throughout, and the request and size limits. Every problem is reported with its line number.
/// </summary>
internal static class InputValidator
{
    /// <summary>At most this many problems are listed; the file is still read to the end, to count its requests.</summary>
    public const int MaxReportedErrors = 100;

    public static InputCheck Check(Stream content, long contentLength, string endpoint, EmulatorOptions options)
    {
        var errors = new List<ValidationError>();
        if (contentLength > options.MaxBatchInputBytes)
        {
            errors.Add(new ValidationError(
                "file_too_large",
                string.Create(CultureInfo.InvariantCulture, $"The input file is {contentLength:N0} bytes; a batch input file can be at most {options.MaxBatchInputBytes:N0} bytes."),
                "input_file_id",
                null));
            return new InputCheck([], null, errors);
        }

        var lines = new List<InputLine>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? model = null;
        var modelLine = 0;
        var lineNumber = 0;
        var requests = 0;

        void Report(string code, string message, string? param)
        {
            if (errors.Count < MaxReportedErrors)
            {
                errors.Add(new ValidationError(code, message, param, lineNumber));
            }
        }

        using var tokens = new PromptTokenCounter();
        long promptTokens = 0;
        using var reader = new StreamReader(content, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        while (reader.ReadLine() is { } text)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            requests++;
            promptTokens += tokens.CountRequest(System.Text.Encoding.UTF8.GetBytes(text));
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
                Report("invalid_json_line", "This line is not parseable as valid JSON.", null);
                continue;
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    Report("invalid_json_line", "This line is not a JSON object.", null);
                    continue;
                }

                var customId = StringProperty(root, "custom_id");
                if (string.IsNullOrEmpty(customId))
                {
                    Report("missing_required_parameter", "Missing required parameter: 'custom_id'.", "custom_id");
                }
                else if (!seen.Add(customId))
                {
                    Report("duplicate_custom_id", $"The custom_id '{customId}' is used by another request; each custom_id must be unique within a batch.", "custom_id");
                }

                var method = StringProperty(root, "method");
                if (method is null)
                {
                    Report("missing_required_parameter", "Missing required parameter: 'method'.", "method");
                }
                else if (method != "POST")
                {
                    Report("invalid_value", $"Invalid value: '{method}'. Supported values are: 'POST'.", "method");
                }

                var url = StringProperty(root, "url");
                if (url is null)
                {
                    Report("missing_required_parameter", "Missing required parameter: 'url'.", "url");
                }
                else if (url != endpoint)
                {
                    Report("url_mismatch", $"The url '{url}' does not match the batch's endpoint '{endpoint}'.", "url");
                }

                if (!root.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.Object)
                {
                    Report("missing_required_parameter", "Missing required parameter: 'body' (a JSON object).", "body");
                    continue;
                }

                var lineModel = StringProperty(body, "model");
                if (lineModel is null)
                {
                    Report("missing_required_parameter", "Missing required parameter: 'body.model'.", "body.model");
                }
                else if (model is null)
                {
                    model = lineModel;
                    modelLine = lineNumber;
                }
                else if (lineModel != model)
                {
                    Report("model_mismatch", $"The model '{lineModel}' differs from '{model}' on line {modelLine}; a batch input file may use only one model.", "body.model");
                }

                if (!string.IsNullOrEmpty(customId))
                {
                    lines.Add(new InputLine(customId, body.GetRawText().Length));
                }
            }
        }

        if (requests > options.MaxRequestsPerBatch)
        {
            errors.Add(new ValidationError(
                "too_many_tasks",
                string.Create(CultureInfo.InvariantCulture, $"The input file has {requests:N0} requests; a batch can have at most {options.MaxRequestsPerBatch:N0}."),
                null,
                null));
        }
        else if (requests == 0)
        {
            errors.Add(new ValidationError("empty_file", "The input file has no requests.", "input_file_id", null));
        }

        return new InputCheck(lines, model, errors, promptTokens);
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
