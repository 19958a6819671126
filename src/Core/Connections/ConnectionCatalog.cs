using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Connections;

/// <summary>The connections the dashboard reads from, resolved once from configuration.</summary>
public interface IConnectionCatalog
{
    IReadOnlyList<ApiConnection> Connections { get; }

    ApiConnection? Find(string id);
}

/// <summary>
/// Builds the connections as OpenAI's SDKs do: <c>OPENAI_API_KEY</c>, <c>OPENAI_BASE_URL</c>, <c>OPENAI_ORG_ID</c>
/// and <c>OPENAI_PROJECT_ID</c> make the default one; <c>BatchDashboard:Connections</c> adds more, each naming the
/// configuration key (environment variable or user-secret) that holds its API key.
/// </summary>
public sealed class ConnectionCatalog : IConnectionCatalog
{
    public const string DefaultConnectionId = "openai";
    public const string DefaultBaseUrl = "https://api.openai.com/v1";

    /// <summary>The default connection's webhook secret, as OpenAI's SDKs read it.</summary>
    public const string DefaultWebhookSecretName = "OPENAI_WEBHOOK_SECRET";

    private readonly Lock _gate = new();
    private IReadOnlyList<ApiConnection> _connections;

    public ConnectionCatalog(IConfiguration configuration, IOptions<ConnectionListOptions> options)
        : this(Resolve(configuration, options.Value.Entries, out _))
    {
    }

    public ConnectionCatalog(IEnumerable<ApiConnection> connections) => _connections = [.. connections];

    public IReadOnlyList<ApiConnection> Connections => _connections;

    public ApiConnection? Find(string id) => _connections.FirstOrDefault(c => string.Equals(c.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Adds a connection known only once the app runs: the demo's emulator, whose address is chosen when it starts.
    /// Added before the sync starts (hosted services start in order), it is synced and shown like any other.
    /// </summary>
    public void Add(ApiConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        lock (_gate)
        {
            if (Find(connection.Id) is not null)
            {
                throw new InvalidOperationException($"A connection '{connection.Id}' already exists.");
            }

            _connections = [.. _connections, connection];
        }
    }

    /// <summary>Resolves every configured connection and lists every problem, each naming its configuration key.</summary>
    public static List<ApiConnection> Resolve(IConfiguration configuration, IReadOnlyList<ConnectionOptions> entries, out List<string> problems)
    {
        problems = [];
        var connections = new List<ApiConnection>();

        var defaultKey = configuration["OPENAI_API_KEY"];
        if (!string.IsNullOrWhiteSpace(defaultKey))
        {
            var baseUrl = configuration["OPENAI_BASE_URL"];
            var webhookKey = WebhookKeyOf(configuration, DefaultWebhookSecretName, DefaultWebhookSecretName, problems);
            if (TryAbsoluteUrl(string.IsNullOrWhiteSpace(baseUrl) ? DefaultBaseUrl : baseUrl, out var uri))
            {
                connections.Add(new ApiConnection
                {
                    Id = DefaultConnectionId,
                    Name = "OpenAI",
                    Kind = ConnectionKind.OpenAI,
                    BaseUrl = uri,
                    ApiKey = defaultKey.Trim(),
                    WebhookKey = webhookKey,
                    Organization = NullIfEmpty(configuration["OPENAI_ORG_ID"]),
                    Project = NullIfEmpty(configuration["OPENAI_PROJECT_ID"]),
                });
            }
            else
            {
                problems.Add($"OPENAI_BASE_URL: '{baseUrl}' is not an absolute http(s) address.");
            }
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var key = $"{ConnectionListOptions.SectionName}:{i}";
            var before = problems.Count;

            if (string.IsNullOrWhiteSpace(entry.Id))
            {
                problems.Add($"{key}:Id is required (letters, digits, '-' and '_').");
            }
            else if (!entry.Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                problems.Add($"{key}:Id '{entry.Id}' may hold only letters, digits, '-' and '_'.");
            }
            else if (connections.Exists(c => string.Equals(c.Id, entry.Id, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{key}:Id '{entry.Id}' is used by another connection.");
            }

            if (!string.IsNullOrEmpty(entry.ApiKey))
            {
                problems.Add($"{key}:ApiKey must not hold a key: put the key in an environment variable or user-secret and name it in {key}:ApiKeyName.");
            }

            if (!string.IsNullOrEmpty(entry.WebhookSecret))
            {
                problems.Add($"{key}:WebhookSecret must not hold a secret: put it in an environment variable or user-secret and name it in {key}:WebhookSecretName.");
            }

            byte[]? webhookKey = null;
            if (!string.IsNullOrWhiteSpace(entry.WebhookSecretName))
            {
                webhookKey = WebhookKeyOf(configuration, entry.WebhookSecretName, $"{key}:WebhookSecretName", problems);
                if (string.IsNullOrWhiteSpace(configuration[entry.WebhookSecretName]))
                {
                    problems.Add($"{key}:WebhookSecretName names '{entry.WebhookSecretName}', which is not set in the environment or user-secrets.");
                }
            }

            string? apiKey = null;
            if (string.IsNullOrWhiteSpace(entry.ApiKeyName))
            {
                problems.Add($"{key}:ApiKeyName is required: the environment variable or user-secret that holds the key.");
            }
            else
            {
                apiKey = configuration[entry.ApiKeyName];
                if (string.IsNullOrWhiteSpace(apiKey))
                {
                    problems.Add($"{key}:ApiKeyName names '{entry.ApiKeyName}', which is not set in the environment or user-secrets.");
                }
            }

            var baseUrlText = string.IsNullOrWhiteSpace(entry.BaseUrl) && entry.Kind == ConnectionKind.OpenAI ? DefaultBaseUrl : entry.BaseUrl;
            Uri? baseUri = null;
            if (string.IsNullOrWhiteSpace(baseUrlText))
            {
                problems.Add($"{key}:BaseUrl is required for a {entry.Kind} connection.");
            }
            else if (!TryAbsoluteUrl(baseUrlText, out baseUri))
            {
                problems.Add($"{key}:BaseUrl '{baseUrlText}' is not an absolute http(s) address.");
            }

            if (entry.Kind == ConnectionKind.Azure && string.IsNullOrWhiteSpace(entry.ApiVersion) && baseUri is not null
                && !baseUri.AbsolutePath.TrimEnd('/').EndsWith("/v1", StringComparison.Ordinal))
            {
                problems.Add($"{key}:ApiVersion is required for Azure's classic paths (e.g. 2024-10-21), or end {key}:BaseUrl with /openai/v1.");
            }

            if (problems.Count == before)
            {
                connections.Add(new ApiConnection
                {
                    Id = entry.Id!,
                    Name = string.IsNullOrWhiteSpace(entry.Name) ? entry.Id! : entry.Name,
                    Kind = entry.Kind,
                    BaseUrl = baseUri!,
                    ApiKey = apiKey!.Trim(),
                    WebhookKey = webhookKey,
                    Organization = NullIfEmpty(entry.Organization),
                    Project = NullIfEmpty(entry.Project),
                    ApiVersion = NullIfEmpty(entry.ApiVersion),
                });
            }
        }

        return connections;
    }

    /// <summary>The decoded webhook key in the setting <paramref name="name"/>; null when unset, or when not a secret (a problem then).</summary>
    private static byte[]? WebhookKeyOf(IConfiguration configuration, string name, string setting, List<string> problems)
    {
        var secret = configuration[name];
        if (string.IsNullOrWhiteSpace(secret))
        {
            return null;
        }

        if (TryReadWebhookSecret(secret, out var webhookKey))
        {
            return webhookKey;
        }

        // Never the value: it may be a real secret pasted wrongly.
        problems.Add($"{setting}: the webhook secret in '{name}' is not one: it should be whsec_ followed by base64, as the provider's webhook settings show it.");
        return null;
    }

    /// <summary>
    /// A Standard Webhooks secret: <c>whsec_</c> and the key in base64 (the prefix may be left off), as OpenAI's and
    /// Azure's webhook settings show it; at least 16 bytes.
    /// </summary>
    public static bool TryReadWebhookSecret(string secret, out byte[] key)
    {
        var text = secret.Trim();
        text = text.StartsWith("whsec_", StringComparison.Ordinal) ? text[6..] : text;
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        if (Convert.TryFromBase64String(text, buffer, out var written) && written >= 16)
        {
            key = buffer[..written];
            return true;
        }

        key = [];
        return false;
    }

    private static bool TryAbsoluteUrl(string text, out Uri uri)
    {
        if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp))
        {
            uri = parsed;
            return true;
        }

        uri = null!;
        return false;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>Stops start-up on bad connections, listing every problem at once, each with its configuration key.</summary>
public sealed class ConnectionListOptionsValidator(IConfiguration configuration) : IValidateOptions<ConnectionListOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectionListOptions options)
    {
        ConnectionCatalog.Resolve(configuration, options.Entries, out var problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
