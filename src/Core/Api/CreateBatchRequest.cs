using System.Text.Json.Serialization;

namespace BatchDashboard.Core.Api;

/// <summary>The body of <c>POST /batches</c>.</summary>
public sealed record CreateBatchRequest
{
    [JsonPropertyName("input_file_id")]
    public required string InputFileId { get; init; }

    /// <summary>e.g. <c>/v1/chat/completions</c>.</summary>
    [JsonPropertyName("endpoint")]
    public required string Endpoint { get; init; }

    [JsonPropertyName("completion_window")]
    public string CompletionWindow { get; init; } = "24h";

    [JsonPropertyName("metadata")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>How long the output and error files live, 1 hour to 30 days after they are created.</summary>
    [JsonPropertyName("output_expires_after")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OutputExpiry? OutputExpiresAfter { get; init; }
}

public sealed record OutputExpiry([property: JsonPropertyName("seconds")] long Seconds)
{
    [JsonPropertyName("anchor")]
    public string Anchor { get; init; } = "created_at";
}

[JsonSerializable(typeof(CreateBatchRequest))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
