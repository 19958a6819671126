using System.Text.Json;
using BatchDashboard.Core.Results;

namespace BatchDashboard.Core.Submissions;

/// <summary>A reason the API would refuse an input file, with the line it is on (null for the whole file).</summary>
public sealed record InputProblem(int? Line, string Code, string Message, string? Param);

/// <summary>What a check of an input file found.</summary>
/// <param name="Endpoint">The endpoint the lines name (the first line's url), or the one asked for.</param>
/// <param name="Model">The model the lines name.</param>
/// <param name="MoreProblems">How many further problems were found beyond those listed.</param>
public sealed record InputValidation(int Requests, long Bytes, string? Endpoint, string? Model, IReadOnlyList<InputProblem> Problems, int MoreProblems)
{
    public bool IsValid => Problems.Count == 0;
}

/// <summary>
/// Checks a batch input file as the Batch API does, before anything is sent: one JSON object per line (blank lines
/// ignored), a unique custom_id, method POST, a url equal to the batch's endpoint, a body with one model for the
/// whole file, at most 50,000 requests and 200 MB. Every problem is reported with its line, the first
/// <see cref="MaxListed"/> of them listed. Read as a stream, one line at a time.
/// </summary>
public static class BatchInputValidator
{
    public const int MaxRequests = 50_000;
    public const long MaxBytes = 200L * 1024 * 1024;
    public const int MaxListed = 200;

    /// <summary>The endpoints the Batch API runs.</summary>
    public static readonly IReadOnlyList<string> Endpoints =
        ["/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/moderations", "/v1/images/generations", "/v1/images/edits", "/v1/videos"];

    public static async Task<InputValidation> ValidateAsync(Stream input, string? endpoint, CancellationToken cancellationToken)
    {
        var problems = new List<InputProblem>();
        var more = 0;
        void Report(int? line, string code, string message, string? param)
        {
            if (problems.Count < MaxListed)
            {
                problems.Add(new InputProblem(line, code, message, param));
            }
            else
            {
                more++;
            }
        }

        if (endpoint is not null && !Endpoints.Contains(endpoint))
        {
            Report(null, "invalid_value", $"Invalid endpoint '{endpoint}'. Supported values are: {string.Join(", ", Endpoints)}.", "endpoint");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        string? model = null;
        var modelLine = 0;
        var requests = 0;
        using var reader = new JsonLineReader(input);
        while (await reader.ReadAsync(cancellationToken) is { } line)
        {
            requests++;
            if (line.TooLong)
            {
                Report(line.Number, "invalid_json_line", "This line is too long to be a request.", null);
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line.Bytes);
            }
            catch (JsonException)
            {
                Report(line.Number, "invalid_json_line", "This line is not parseable as valid JSON.", null);
                continue;
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    Report(line.Number, "invalid_json_line", "This line is not a JSON object.", null);
                    continue;
                }

                var customId = Text(root, "custom_id");
                if (string.IsNullOrEmpty(customId))
                {
                    Report(line.Number, "missing_required_parameter", "Missing required parameter: 'custom_id'.", "custom_id");
                }
                else if (!ids.Add(customId))
                {
                    Report(line.Number, "duplicate_custom_id", $"The custom_id '{customId}' is used by another request; each custom_id must be unique within a batch.", "custom_id");
                }

                var method = Text(root, "method");
                if (method is null)
                {
                    Report(line.Number, "missing_required_parameter", "Missing required parameter: 'method'.", "method");
                }
                else if (method != "POST")
                {
                    Report(line.Number, "invalid_value", $"Invalid value: '{method}'. Supported values are: 'POST'.", "method");
                }

                var url = Text(root, "url");
                if (url is null)
                {
                    Report(line.Number, "missing_required_parameter", "Missing required parameter: 'url'.", "url");
                }
                else
                {
                    endpoint ??= url;
                    if (url != endpoint)
                    {
                        Report(line.Number, "url_mismatch", $"The url '{url}' does not match the batch's endpoint '{endpoint}'.", "url");
                    }
                }

                if (!root.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.Object)
                {
                    Report(line.Number, "missing_required_parameter", "Missing required parameter: 'body' (a JSON object).", "body");
                    continue;
                }

                var lineModel = Text(body, "model");
                if (lineModel is null)
                {
                    Report(line.Number, "missing_required_parameter", "Missing required parameter: 'body.model'.", "body.model");
                }
                else if (model is null)
                {
                    (model, modelLine) = (lineModel, line.Number);
                }
                else if (lineModel != model)
                {
                    Report(line.Number, "model_mismatch", $"The model '{lineModel}' differs from '{model}' on line {modelLine}; a batch input file may use only one model.", "body.model");
                }
            }
        }

        if (requests == 0)
        {
            Report(null, "empty_file", "The input file has no requests.", "input_file_id");
        }

        if (requests > MaxRequests)
        {
            Report(null, "too_many_tasks", $"The input file has {requests:N0} requests; a batch may have at most {MaxRequests:N0}.", "input_file_id");
        }

        if (reader.BytesRead > MaxBytes)
        {
            Report(null, "file_too_large", $"The input file is {reader.BytesRead / 1048576.0:N1} MB; a batch input file may be at most 200 MB.", "input_file_id");
        }

        if (endpoint is not null && !Endpoints.Contains(endpoint) && problems.All(p => p.Param != "endpoint"))
        {
            Report(null, "invalid_value", $"The lines name the endpoint '{endpoint}', which the Batch API does not run.", "url");
        }

        return new InputValidation(requests, reader.BytesRead, endpoint, model, problems, more);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
