using System.Buffers;
using System.Text.Json;

namespace BatchDashboard.Emulator.Simulation;

/// <summary>
/// Writes the lines of a batch's output and error files, shaped as OpenAI writes them: an output line holds the
/// endpoint's normal response object; an error line holds either an HTTP error response (4xx/5xx with the API's error
/// body) or, with <c>response: null</c>, an error code such as <c>request_timeout</c>, <c>batch_expired</c> or
/// <c>batch_cancelled</c>.
/// </summary>
internal static class ResultLines
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] Sentences =
    [
        "The review is positive: the customer praises the fast delivery and the packaging.",
        "Category: billing. The user asks why they were charged twice this month.",
        "Summary: the meeting moved the launch to March and assigned the budget review to finance.",
        "The text is written in French and asks for the opening hours of the Lyon office.",
        "Sentiment: neutral. The message reports a delayed order without complaint.",
        "Key points: upgrade the database, rotate the keys, and document the new release process.",
        "The answer is 42, as the second paragraph of the document states.",
        "Translation: \u00ab Merci pour votre patience, votre colis arrive demain. \u00bb",
        "The ticket describes a login failure after a password reset; priority: high.",
        "Product attributes: colour blue, size medium, material cotton, price 19.90 EUR.",
    ];

    public static void WriteOutputLine(IBufferWriter<byte> buffer, EmulatedBatch batch, int index)
    {
        var request = batch.Requests[index];
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id", "batch_req_" + Deterministic.Hex(batch.Seed, (index * 3) + 1, 32));
            writer.WriteString("custom_id", request.CustomId);
            writer.WriteStartObject("response");
            writer.WriteNumber("status_code", 200);
            writer.WriteString("request_id", Deterministic.Hex(batch.Seed, (index * 3) + 2, 32));
            writer.WritePropertyName("body");
            WriteSuccessBody(writer, batch, index, request);
            writer.WriteEndObject();
            writer.WriteNull("error");
            writer.WriteEndObject();
        }

        NewLine(buffer);
    }

    /// <summary>A failed request, or with <paramref name="unprocessedCode"/> one that never ran.</summary>
    public static void WriteErrorLine(IBufferWriter<byte> buffer, EmulatedBatch batch, int index, string? unprocessedCode)
    {
        var request = batch.Requests[index];
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id", "batch_req_" + Deterministic.Hex(batch.Seed, (index * 3) + 1, 32));
            writer.WriteString("custom_id", request.CustomId);
            var outcome = unprocessedCode is null ? request.Outcome : RequestOutcome.Timeout;
            if (outcome is RequestOutcome.BadRequest or RequestOutcome.ServerError)
            {
                var badRequest = outcome == RequestOutcome.BadRequest;
                writer.WriteStartObject("response");
                writer.WriteNumber("status_code", badRequest ? 400 : 500);
                writer.WriteString("request_id", Deterministic.Hex(batch.Seed, (index * 3) + 2, 32));
                writer.WriteStartObject("body");
                writer.WriteStartObject("error");
                if (badRequest)
                {
                    writer.WriteString("message", BadRequestMessage(batch, index));
                    writer.WriteString("type", "invalid_request_error");
                    writer.WriteString("param", LimitParameter(batch.Endpoint));
                    writer.WriteString("code", batch.Endpoint == "/v1/embeddings" ? "context_length_exceeded" : "invalid_value");
                }
                else
                {
                    writer.WriteString("message", "The server had an error processing your request. Sorry about that! You can retry your request, or contact us through our help center if you keep seeing this error.");
                    writer.WriteString("type", "server_error");
                    writer.WriteNull("param");
                    writer.WriteNull("code");
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteNull("error");
            }
            else
            {
                writer.WriteNull("response");
                writer.WriteStartObject("error");
                var code = unprocessedCode ?? "request_timeout";
                writer.WriteString("code", code);
                writer.WriteString("message", code switch
                {
                    "batch_expired" => "This request could not be executed before the completion window expired.",
                    "batch_cancelled" => "This request was not executed because the batch was cancelled.",
                    _ => "The request timed out before the model produced a response.",
                });
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        NewLine(buffer);
    }

    /// <summary>The parameter a refused request's error names: the one its endpoint's requests carry for their size.</summary>
    private static string LimitParameter(string endpoint) => endpoint switch
    {
        "/v1/embeddings" or "/v1/moderations" => "input",
        "/v1/responses" => "max_output_tokens",
        _ => "max_tokens",
    };

    private static string BadRequestMessage(EmulatedBatch batch, int index) => batch.Endpoint == "/v1/embeddings"
        ? $"This model's maximum context length is 8192 tokens, however you requested {8192 + Deterministic.Between(batch.Seed, index, 1, 4000)} tokens. Please reduce your prompt."
        : $"Invalid '{LimitParameter(batch.Endpoint)}': the prompt of {Deterministic.Between(batch.Seed, index, 1, 90000) + 128000} tokens and the '{LimitParameter(batch.Endpoint)}' asked for exceed this model's context window. Shorten the prompt or lower '{LimitParameter(batch.Endpoint)}'.";

    private static void WriteSuccessBody(Utf8JsonWriter writer, EmulatedBatch batch, int index, EmulatedRequest request)
    {
        var created = (batch.CreatedAt + batch.Plan.ValidationTime + TimeSpan.FromSeconds(index / batch.Plan.RequestsPerSecond)).ToUnixTimeSeconds();
        var model = batch.Model ?? "gpt-4o-mini";
        var text = batch.ReplyOf?.Invoke(index) ?? Sentences[(int)(Deterministic.Hash(batch.Seed, index) % (ulong)Sentences.Length)];
        var id = Deterministic.Base62Id(batch.Seed, index, 29);
        writer.WriteStartObject();
        switch (batch.Endpoint)
        {
            case "/v1/responses":
                writer.WriteString("id", "resp_" + Deterministic.Hex(batch.Seed, (index * 5) + 3, 48));
                writer.WriteString("object", "response");
                writer.WriteNumber("created_at", created);
                writer.WriteString("status", "completed");
                writer.WriteString("model", model);
                writer.WriteStartArray("output");
                writer.WriteStartObject();
                writer.WriteString("type", "message");
                writer.WriteString("id", "msg_" + Deterministic.Hex(batch.Seed, (index * 5) + 4, 48));
                writer.WriteString("status", "completed");
                writer.WriteString("role", "assistant");
                writer.WriteStartArray("content");
                writer.WriteStartObject();
                writer.WriteString("type", "output_text");
                writer.WriteString("text", text);
                writer.WriteStartArray("annotations");
                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteStartObject("usage");
                writer.WriteNumber("input_tokens", request.InputTokens);
                writer.WriteStartObject("input_tokens_details");
                writer.WriteNumber("cached_tokens", request.CachedTokens);
                writer.WriteEndObject();
                writer.WriteNumber("output_tokens", request.OutputTokens);
                writer.WriteStartObject("output_tokens_details");
                writer.WriteNumber("reasoning_tokens", request.ReasoningTokens);
                writer.WriteEndObject();
                writer.WriteNumber("total_tokens", request.InputTokens + request.OutputTokens);
                writer.WriteEndObject();
                break;

            case "/v1/embeddings":
                writer.WriteString("object", "list");
                writer.WriteStartArray("data");
                writer.WriteStartObject();
                writer.WriteString("object", "embedding");
                writer.WriteNumber("index", 0);
                writer.WriteStartArray("embedding");
                for (var d = 0; d < 16; d++)
                {
                    writer.WriteNumberValue(Math.Round((Deterministic.Unit(batch.Seed, (index * 16) + d) * 0.2) - 0.1, 6));
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteString("model", model);
                writer.WriteStartObject("usage");
                writer.WriteNumber("prompt_tokens", request.InputTokens);
                writer.WriteNumber("total_tokens", request.InputTokens);
                writer.WriteEndObject();
                break;

            case "/v1/moderations":
                writer.WriteString("id", "modr-" + Deterministic.Base62Id(batch.Seed, index, 24));
                writer.WriteString("model", model);
                writer.WriteStartArray("results");
                writer.WriteStartObject();
                var flagged = Deterministic.Unit(batch.Seed, index + 7) < 0.05;
                writer.WriteBoolean("flagged", flagged);
                writer.WriteStartObject("categories");
                writer.WriteBoolean("harassment", flagged);
                writer.WriteBoolean("hate", false);
                writer.WriteBoolean("self-harm", false);
                writer.WriteBoolean("sexual", false);
                writer.WriteBoolean("violence", false);
                writer.WriteEndObject();
                writer.WriteStartObject("category_scores");
                writer.WriteNumber("harassment", flagged ? 0.91 : 0.0004);
                writer.WriteNumber("hate", 0.00002);
                writer.WriteNumber("self-harm", 0.000001);
                writer.WriteNumber("sexual", 0.00003);
                writer.WriteNumber("violence", 0.0001);
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndArray();
                break;

            case "/v1/completions":
                writer.WriteString("id", "cmpl-" + id);
                writer.WriteString("object", "text_completion");
                writer.WriteNumber("created", created);
                writer.WriteString("model", model);
                writer.WriteStartArray("choices");
                writer.WriteStartObject();
                writer.WriteString("text", " " + text);
                writer.WriteNumber("index", 0);
                writer.WriteNull("logprobs");
                writer.WriteString("finish_reason", "stop");
                writer.WriteEndObject();
                writer.WriteEndArray();
                WriteChatUsage(writer, request, details: false);
                break;

            case "/v1/images/generations" or "/v1/images/edits":
                writer.WriteNumber("created", created);
                writer.WriteStartArray("data");
                writer.WriteStartObject();
                // A 1x1 transparent PNG: the shape of the answer without megabytes of image.
                writer.WriteString("b64_json", "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");
                writer.WriteEndObject();
                writer.WriteEndArray();
                break;

            case "/v1/videos":
                writer.WriteString("id", "video_" + Deterministic.Hex(batch.Seed, index, 32));
                writer.WriteString("object", "video");
                writer.WriteString("model", model);
                writer.WriteString("status", "completed");
                writer.WriteNumber("progress", 100);
                writer.WriteNumber("created_at", created);
                break;

            default:
                writer.WriteString("id", "chatcmpl-" + id);
                writer.WriteString("object", "chat.completion");
                writer.WriteNumber("created", created);
                writer.WriteString("model", model);
                writer.WriteStartArray("choices");
                writer.WriteStartObject();
                writer.WriteNumber("index", 0);
                writer.WriteStartObject("message");
                writer.WriteString("role", "assistant");
                writer.WriteString("content", text);
                writer.WriteNull("refusal");
                writer.WriteStartArray("annotations");
                writer.WriteEndArray();
                writer.WriteEndObject();
                writer.WriteNull("logprobs");
                writer.WriteString("finish_reason", Deterministic.Unit(batch.Seed, index + 11) < 0.08 ? "length" : "stop");
                writer.WriteEndObject();
                writer.WriteEndArray();
                WriteChatUsage(writer, request, details: true);
                writer.WriteString("service_tier", "default");
                writer.WriteString("system_fingerprint", "fp_" + Deterministic.Hex(batch.Seed, 0, 10));
                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteChatUsage(Utf8JsonWriter writer, EmulatedRequest request, bool details)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", request.InputTokens);
        writer.WriteNumber("completion_tokens", request.OutputTokens);
        writer.WriteNumber("total_tokens", request.InputTokens + request.OutputTokens);
        if (details)
        {
            writer.WriteStartObject("prompt_tokens_details");
            writer.WriteNumber("cached_tokens", request.CachedTokens);
            writer.WriteNumber("audio_tokens", 0);
            writer.WriteEndObject();
            writer.WriteStartObject("completion_tokens_details");
            writer.WriteNumber("reasoning_tokens", request.ReasoningTokens);
            writer.WriteNumber("audio_tokens", 0);
            writer.WriteNumber("accepted_prediction_tokens", 0);
            writer.WriteNumber("rejected_prediction_tokens", 0);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void NewLine(IBufferWriter<byte> buffer)
    {
        buffer.GetSpan(1)[0] = (byte)'\n';
        buffer.Advance(1);
    }
}
