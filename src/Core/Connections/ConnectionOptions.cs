namespace BatchDashboard.Core.Connections;

/// <summary>
/// The <c>BatchDashboard:Connections</c> list: connections beyond the default one that <c>OPENAI_API_KEY</c> makes.
/// Checked with the default one by <see cref="ConnectionListOptionsValidator"/>, and resolved by <see cref="ConnectionCatalog"/>.
/// </summary>
public sealed class ConnectionListOptions
{
    public const string SectionName = "BatchDashboard:Connections";

    public List<ConnectionOptions> Entries { get; set; } = [];
}

/// <summary>One entry of <c>BatchDashboard:Connections</c>. It names where its key is; it never holds the key.</summary>
public sealed class ConnectionOptions
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public ConnectionKind Kind { get; set; } = ConnectionKind.OpenAI;
    public string? BaseUrl { get; set; }

    /// <summary>The environment variable or user-secret that holds the API key, e.g. <c>AZURE_OPENAI_API_KEY</c>.</summary>
    public string? ApiKeyName { get; set; }

    /// <summary>Rejected by validation: keys belong in the environment or user-secrets, named by <see cref="ApiKeyName"/>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The environment variable or user-secret that holds the secret this connection's webhooks are signed with
    /// (<c>whsec_...</c>, from the provider's webhook settings); none: webhooks to it are refused.
    /// </summary>
    public string? WebhookSecretName { get; set; }

    /// <summary>Rejected by validation, as <see cref="ApiKey"/> is: name the secret in <see cref="WebhookSecretName"/>.</summary>
    public string? WebhookSecret { get; set; }

    public string? Organization { get; set; }
    public string? Project { get; set; }
    public string? ApiVersion { get; set; }
}
