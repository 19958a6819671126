using System.Globalization;
using System.Text;
using System.Text.Json;

namespace BatchDashboard.Dashboard.Model;

/// <summary>One message of a conversation as a person reads it: who said it, and its text.</summary>
public sealed record MessageView(string Role, string Text);

/// <summary>A figure of the answer, named: "finish reason: stop", "dimensions: 1,536".</summary>
public sealed record FactView(string Name, string Value);

/// <summary>An error as the API gave it: its code, message and the parameter it names.</summary>
public sealed record ErrorView(string? Code, string? Message, string? Param, int? StatusCode);

/// <summary>
/// One request of a batch read for its endpoint instead of as JSON: for chat completions and responses the messages
/// and the reply, for completions the prompt and the text, for embeddings what was embedded and the vector's size,
/// for moderations the flagged categories; any error as its code, message and parameter; tokens and the finish
/// reason as facts. Lines that are not what the endpoint's shape says show what could be read, never an exception.
/// </summary>
public sealed record RequestView(
    string? Endpoint,
    string? Model,
    IReadOnlyList<MessageView> Messages,
    string? Reply,
    IReadOnlyList<FactView> Facts,
    ErrorView? Error)
{
    /// <summary>The longest text shown for one part (a message, the reply); the raw JSON has the whole.</summary>
    public const int MaxText = 4_000;

    public static RequestView From(string? inputLine, string? resultLine)
    {
        var messages = new List<MessageView>();
        var facts = new List<FactView>();
        string? endpoint = null, model = null, reply = null;
        ErrorView? error = null;

        if (Parse(inputLine) is { } input)
        {
            using (input)
            {
                var root = input.RootElement;
                endpoint = String(root, "url");
                if (Object(root, "body") is { } body)
                {
                    model = String(body, "model");
                    ReadInput(endpoint, body, messages, facts);
                }
            }
        }

        if (Parse(resultLine) is { } result)
        {
            using (result)
            {
                var root = result.RootElement;
                var response = Object(root, "response");
                int? status = response is { } r && r.TryGetProperty("status_code", out var code) && code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var value) ? value : null;
                var body = response is { } withBody ? Object(withBody, "body") : null;
                if (Object(root, "error") is { } topError)
                {
                    error = ErrorOf(topError, status);
                }
                else if (body is { } b && Object(b, "error") is { } bodyError)
                {
                    error = ErrorOf(bodyError, status);
                }
                else if (body is { } answer)
                {
                    model ??= String(answer, "model");
                    reply = ReadAnswer(endpoint, answer, facts);
                }
            }
        }

        return new RequestView(endpoint, model, messages, reply, facts, error);
    }

    private static void ReadInput(string? endpoint, JsonElement body, List<MessageView> messages, List<FactView> facts)
    {
        switch (endpoint)
        {
            case "/v1/chat/completions":
                foreach (var message in Array(body, "messages"))
                {
                    messages.Add(new MessageView(String(message, "role") ?? "message", TextOf(message.TryGetProperty("content", out var content) ? content : default)));
                }

                break;
            case "/v1/responses":
                if (String(body, "instructions") is { } instructions)
                {
                    messages.Add(new MessageView("instructions", Clip(instructions)));
                }

                if (body.TryGetProperty("input", out var responseInput))
                {
                    if (responseInput.ValueKind == JsonValueKind.String)
                    {
                        messages.Add(new MessageView("user", Clip(responseInput.GetString()!)));
                    }
                    else if (responseInput.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var item in responseInput.EnumerateArray())
                        {
                            messages.Add(new MessageView(String(item, "role") ?? String(item, "type") ?? "input", TextOf(item.TryGetProperty("content", out var c) ? c : item)));
                        }
                    }
                }

                break;
            case "/v1/completions":
                if (body.TryGetProperty("prompt", out var prompt))
                {
                    messages.Add(new MessageView("prompt", TextOf(prompt)));
                }

                break;
            case "/v1/embeddings" or "/v1/moderations":
                if (body.TryGetProperty("input", out var toRead))
                {
                    var count = toRead.ValueKind == JsonValueKind.Array ? toRead.GetArrayLength() : 1;
                    messages.Add(new MessageView("input", TextOf(toRead)));
                    if (count > 1)
                    {
                        facts.Add(new FactView("inputs", count.ToString("N0", CultureInfo.InvariantCulture)));
                    }
                }

                break;
        }
    }

    private static string? ReadAnswer(string? endpoint, JsonElement body, List<FactView> facts)
    {
        string? reply = null;
        switch (endpoint)
        {
            case "/v1/chat/completions" or "/v1/completions":
                if (Array(body, "choices").FirstOrDefault() is { ValueKind: JsonValueKind.Object } choice)
                {
                    reply = Object(choice, "message") is { } message
                        ? String(message, "content") ?? (String(message, "refusal") is { } refusal ? "Refused: " + refusal : null)
                        : String(choice, "text");
                    Add(facts, "finish reason", String(choice, "finish_reason"));
                }

                break;
            case "/v1/responses":
                var text = new StringBuilder();
                foreach (var item in Array(body, "output").Where(i => String(i, "type") == "message"))
                {
                    foreach (var part in Array(item, "content").Where(p => String(p, "type") == "output_text"))
                    {
                        text.Append(String(part, "text"));
                    }
                }

                reply = text.Length > 0 ? text.ToString() : null;
                Add(facts, "status", String(body, "status"));
                if (Object(body, "incomplete_details") is { } incomplete)
                {
                    Add(facts, "incomplete", String(incomplete, "reason"));
                }

                break;
            case "/v1/embeddings":
                var vectors = Array(body, "data").ToList();
                if (vectors.FirstOrDefault() is { ValueKind: JsonValueKind.Object } first && first.TryGetProperty("embedding", out var embedding))
                {
                    Add(facts, "dimensions", embedding.ValueKind == JsonValueKind.Array
                        ? embedding.GetArrayLength().ToString("N0", CultureInfo.InvariantCulture)
                        : "base64-encoded");
                }

                if (vectors.Count > 1)
                {
                    Add(facts, "vectors", vectors.Count.ToString("N0", CultureInfo.InvariantCulture));
                }

                break;
            case "/v1/moderations":
                if (Array(body, "results").FirstOrDefault() is { ValueKind: JsonValueKind.Object } verdict)
                {
                    var flagged = verdict.TryGetProperty("flagged", out var f) && f.ValueKind == JsonValueKind.True;
                    var categories = Object(verdict, "categories") is { } all
                        ? all.EnumerateObject().Where(c => c.Value.ValueKind == JsonValueKind.True).Select(c => c.Name).ToList()
                        : [];
                    reply = flagged
                        ? "Flagged" + (categories.Count > 0 ? ": " + string.Join(", ", categories) : ".")
                        : "Not flagged.";
                }

                break;
        }

        if (Object(body, "usage") is { } usage)
        {
            Add(facts, "input tokens", Number(usage, "prompt_tokens") ?? Number(usage, "input_tokens"));
            Add(facts, "output tokens", Number(usage, "completion_tokens") ?? Number(usage, "output_tokens"));
        }

        return reply is null ? null : Clip(reply);
    }

    private static ErrorView ErrorOf(JsonElement error, int? status) =>
        new(String(error, "code") ?? String(error, "type"), String(error, "message"), String(error, "param"), status);

    /// <summary>Text of a content value: a string, or the text parts of an array of parts.</summary>
    private static string TextOf(JsonElement content)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return Clip(content.GetString()!);
            case JsonValueKind.Array:
                var parts = content.EnumerateArray().Select(part => part.ValueKind switch
                {
                    JsonValueKind.String => part.GetString(),
                    JsonValueKind.Object => String(part, "text") ?? (String(part, "type") is { } type ? $"[{type}]" : null),
                    _ => null,
                }).OfType<string>();
                return Clip(string.Join("\n", parts));
            case JsonValueKind.Object:
                return Clip(String(content, "text") ?? "");
            default:
                return "";
        }
    }

    private static JsonDocument? Parse(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        try
        {
            var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
        }
        catch (JsonException)
        {
            // Not JSON: the raw line is still shown as it is.
        }

        return null;
    }

    private static void Add(List<FactView> facts, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            facts.Add(new FactView(name, value));
        }
    }

    private static JsonElement? Object(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static IEnumerable<JsonElement> Array(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : [];

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number.ToString("N0", CultureInfo.InvariantCulture)
            : null;

    private static string Clip(string text) => text.Length > MaxText ? text[..MaxText] + "…" : text;
}
