namespace BatchDashboard.Tests.Shared;

/// <summary>
/// Input files the Batch API refuses, one problem each, with the line it is on: the dashboard's own check and the
/// emulator (which validates as OpenAI does) are both held to them.
/// </summary>
public static class BadInputFiles
{
    public const string Url = "/v1/chat/completions";

    public static string Line(string id, string model = "gpt-4o-mini", string url = Url) =>
        """{"custom_id": "ID", "method": "POST", "url": "URL", "body": {"model": "MODEL", "messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 50}}"""
            .Replace("ID", id, StringComparison.Ordinal).Replace("URL", url, StringComparison.Ordinal).Replace("MODEL", model, StringComparison.Ordinal);

    /// <summary>Why, the file, and the problem's code, param and line (null for the whole file).</summary>
    public static IReadOnlyList<(string Why, string Content, string Code, string? Param, int? Line)> All { get; } =
    [
        ("invalid JSON", Line("a") + "\n{\"custom_id\": \"b\", \"method\": \n", "invalid_json_line", null, 2),
        ("not an object", Line("a") + "\n[1, 2, 3]\n", "invalid_json_line", null, 2),
        ("missing custom_id", Line("a") + "\n" + Line("b") + "\n" + Line("c").Replace("\"custom_id\": \"c\", ", "", StringComparison.Ordinal) + "\n", "missing_required_parameter", "custom_id", 3),
        ("duplicate custom_id", Line("a") + "\n" + Line("b") + "\n" + Line("a") + "\n", "duplicate_custom_id", "custom_id", 3),
        ("method not POST", Line("a").Replace("\"POST\"", "\"GET\"", StringComparison.Ordinal) + "\n", "invalid_value", "method", 1),
        ("url not the endpoint", Line("a") + "\n" + Line("b", url: "/v1/embeddings") + "\n", "url_mismatch", "url", 2),
        ("mixed models", Line("a") + "\n" + Line("b") + "\n" + Line("c", model: "gpt-4o") + "\n", "model_mismatch", "body.model", 3),
        ("no body", "{\"custom_id\": \"a\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\"}\n", "missing_required_parameter", "body", 1),
        ("no model", "{\"custom_id\": \"a\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": {\"messages\": []}}\n", "missing_required_parameter", "body.model", 1),
        ("blank lines count in line numbers", Line("a") + "\n\n   \n" + Line("a") + "\n", "duplicate_custom_id", "custom_id", 4),
        ("empty file", "\n\n", "empty_file", "input_file_id", null),
    ];

    public static TheoryData<string, string, string, string?, int?> Theory(params (string Why, string Content, string Code, string? Param, int? Line)[] more)
    {
        var data = new TheoryData<string, string, string, string?, int?>();
        foreach (var (why, content, code, param, line) in All.Concat(more))
        {
            data.Add(why, content, code, param, line);
        }

        return data;
    }
}
