namespace BatchDashboard.Core.Connections;

/// <summary>How a provider wants to be addressed and authenticated.</summary>
public enum ConnectionKind
{
    /// <summary>api.openai.com: <c>Authorization: Bearer</c>, optional organization and project headers.</summary>
    OpenAI,

    /// <summary>Azure OpenAI: <c>api-key</c> header; classic paths take an <c>api-version</c> query parameter.</summary>
    Azure,

    /// <summary>Any other server that speaks the OpenAI Batch API with a Bearer key.</summary>
    Compatible,
}

/// <summary>
/// One account the dashboard reads batches from, resolved from configuration. The key is held in memory only:
/// it is never stored, rendered or logged (<see cref="ToString"/> leaves it out).
/// </summary>
public sealed class ApiConnection
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required ConnectionKind Kind { get; init; }

    /// <summary>The API's base address, up to and including the version segment (e.g. <c>https://api.openai.com/v1</c>).</summary>
    public required Uri BaseUrl { get; init; }

    public required string ApiKey { get; init; }

    /// <summary>
    /// The key this connection's webhooks are signed with (the <c>whsec_</c> secret, decoded); null when none is set,
    /// and webhooks to it are refused. Held in memory only, as <see cref="ApiKey"/> is.
    /// </summary>
    public byte[]? WebhookKey { get; init; }
    public string? Organization { get; init; }
    public string? Project { get; init; }

    /// <summary>Azure's <c>api-version</c> query parameter, for its classic (non-v1) paths.</summary>
    public string? ApiVersion { get; init; }

    /// <summary>True for the emulator the dashboard hosts itself when no connection is configured.</summary>
    public bool IsDemo { get; init; }

    public override string ToString() => $"{Name} ({Id}, {Kind}, {BaseUrl})";
}
