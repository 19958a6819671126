using BatchDashboard.Core.Batches;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Notifications;

/// <summary>How a message goes out.</summary>
public enum ChannelKind
{
    /// <summary>Our JSON, POSTed and signed the Standard Webhooks way, so a receiver checks it with the same libraries.</summary>
    Webhook,

    /// <summary>A Slack-compatible incoming webhook: a short text with the batch's link.</summary>
    Slack,

    /// <summary>Email over SMTP.</summary>
    Email,
}

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>STARTTLS when the server offers it (port 587 or 25).</summary>
    StartTlsWhenAvailable,

    /// <summary>STARTTLS, required.</summary>
    StartTls,

    /// <summary>TLS from the start (port 465).</summary>
    SslOnConnect,

    /// <summary>Plain text: a relay on the same host or network only.</summary>
    None,
}

/// <summary>
/// The <c>BatchDashboard:Notifications</c> section: where messages go (channels) and what is worth one (rules). Secrets
/// (a Slack webhook's address, a webhook's signing secret, an SMTP password) are named, never written here: each
/// <c>...Name</c> names the environment variable or user-secret that holds it, as connections name their keys.
/// </summary>
public sealed class NotificationOptions
{
    public const string SectionName = "BatchDashboard:Notifications";

    /// <summary>
    /// The dashboard's address as people open it (e.g. <c>https://ops.example.com/batches-dashboard</c>), for the
    /// links in messages; when unset, the address the app listens on.
    /// </summary>
    public string? DashboardUrl { get; set; }

    public List<ChannelOptions> Channels { get; set; } = [];

    public List<RuleOptions> Rules { get; set; } = [];
}

public sealed class ChannelOptions
{
    public string? Id { get; set; }
    public ChannelKind Kind { get; set; }

    /// <summary>A webhook's address (not a secret: its messages are signed).</summary>
    public string? Url { get; set; }

    /// <summary>The variable holding a Slack incoming webhook's address: the address is its secret.</summary>
    public string? UrlName { get; set; }

    /// <summary>The variable holding a webhook's signing secret (<c>whsec_</c> and base64).</summary>
    public string? SecretName { get; set; }

    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTlsWhenAvailable;
    public string? UserName { get; set; }

    /// <summary>The variable holding the SMTP password.</summary>
    public string? PasswordName { get; set; }

    /// <summary>Rejected by validation, as an API key is: name the variable in <see cref="PasswordName"/>.</summary>
    public string? Password { get; set; }

    public string? From { get; set; }
    public List<string> To { get; set; } = [];
}

/// <summary>One rule: which events, narrowed how, go to which channels.</summary>
public sealed class RuleOptions
{
    public string? Name { get; set; }

    /// <summary>Any of <see cref="NotificationEvents.All"/>.</summary>
    public List<string> When { get; set; } = [];

    public string? Connection { get; set; }
    public string? Endpoint { get; set; }

    /// <summary>The model, covering its dated versions (<c>gpt-4o-mini</c> covers <c>gpt-4o-mini-2024-07-18</c>).</summary>
    public string? Model { get; set; }

    /// <summary><c>key=value</c>: the batch's metadata must hold it.</summary>
    public string? Metadata { get; set; }

    public List<string> Channels { get; set; } = [];
}

/// <summary>The events a rule may name: a batch's end by its status, and the alarms a running batch may raise.</summary>
public static class NotificationEvents
{
    public const string LongPhase = "long_phase";
    public const string HighFailureRate = "high_failure_rate";
    public const string ExpiringSoon = "expiring_soon";

    public static readonly string[] Ends = ["completed", "failed", "expired", "cancelled"];

    public static readonly string[] Alarms = [LongPhase, HighFailureRate, ExpiringSoon];

    public static readonly string[] All = [.. Ends, .. Alarms];

    /// <summary>The running batch's alarms that are events, by the flag the pages show.</summary>
    internal static IEnumerable<string> Of(BatchFlags flags)
    {
        if ((flags & BatchFlags.LongPhase) != 0)
        {
            yield return LongPhase;
        }

        if ((flags & BatchFlags.HighFailureRate) != 0)
        {
            yield return HighFailureRate;
        }

        if ((flags & BatchFlags.ExpiringSoon) != 0)
        {
            yield return ExpiringSoon;
        }
    }
}

/// <summary>A channel with its secrets read: held in memory only, never rendered, logged or stored.</summary>
public sealed class NotificationChannel
{
    public required string Id { get; init; }
    public required ChannelKind Kind { get; init; }

    /// <summary>Where a webhook or Slack message goes; for Slack, a secret.</summary>
    public Uri? Url { get; init; }

    /// <summary>A webhook's signing key, decoded; null: unsigned.</summary>
    public byte[]? SigningKey { get; init; }

    public string? Host { get; init; }
    public int Port { get; init; }
    public SmtpSecurity Security { get; init; }
    public string? UserName { get; init; }
    public string? Password { get; init; }
    public string? From { get; init; }
    public IReadOnlyList<string> To { get; init; } = [];

    /// <summary>Where it goes, as a person may read it: never a secret (a Slack address is shown by its host only).</summary>
    public string Describe() => Kind switch
    {
        ChannelKind.Webhook => $"webhook to {Url}",
        ChannelKind.Slack => $"Slack ({Url?.Host})",
        _ => $"email to {string.Join(", ", To)} via {Host}:{Port}",
    };

    public override string ToString() => $"{Id} ({Describe()})";
}

/// <summary>The rules and channels, resolved once from configuration; every problem listed with its key.</summary>
public sealed class NotificationSettings
{
    public NotificationSettings(IConfiguration configuration, IOptions<NotificationOptions> options)
    {
        var value = options.Value;
        Channels = Resolve(configuration, value, out _);
        Rules = value.Rules;
        DashboardUrl = Uri.TryCreate(value.DashboardUrl, UriKind.Absolute, out var url) ? url : null;
    }

    public IReadOnlyList<NotificationChannel> Channels { get; }

    public IReadOnlyList<RuleOptions> Rules { get; }

    /// <summary>The links' base; set by the app once it listens when not configured.</summary>
    public Uri? DashboardUrl { get; set; }

    public static List<NotificationChannel> Resolve(IConfiguration configuration, NotificationOptions options, out List<string> problems)
    {
        var found = new List<string>();
        problems = found;
        var channels = new List<NotificationChannel>();
        for (var i = 0; i < options.Channels.Count; i++)
        {
            var entry = options.Channels[i];
            var key = $"{NotificationOptions.SectionName}:Channels:{i}";
            var before = found.Count;
            if (string.IsNullOrWhiteSpace(entry.Id))
            {
                found.Add($"{key}:Id is required: rules name channels by it.");
            }
            else if (channels.Exists(c => c.Id == entry.Id))
            {
                found.Add($"{key}:Id '{entry.Id}' is used by another channel.");
            }

            string? Secret(string? name, string setting, bool required)
            {
                if (string.IsNullOrWhiteSpace(name))
                {
                    if (required)
                    {
                        found.Add($"{key}:{setting} is required: the environment variable or user-secret that holds it.");
                    }

                    return null;
                }

                var value = configuration[name];
                if (string.IsNullOrWhiteSpace(value))
                {
                    found.Add($"{key}:{setting} names '{name}', which is not set in the environment or user-secrets.");
                    return null;
                }

                return value.Trim();
            }

            Uri? url = null;
            byte[]? signingKey = null;
            string? password = null;
            switch (entry.Kind)
            {
                case ChannelKind.Webhook:
                    url = Address(entry.Url, $"{key}:Url", found);
                    if (Secret(entry.SecretName, "SecretName", required: false) is { } secret)
                    {
                        if (!Connections.ConnectionCatalog.TryReadWebhookSecret(secret, out var decoded))
                        {
                            found.Add($"{key}:SecretName names '{entry.SecretName}', which does not hold a webhook secret (whsec_ and base64 of at least 16 bytes).");
                        }

                        signingKey = decoded;
                    }

                    break;
                case ChannelKind.Slack:
                    if (!string.IsNullOrWhiteSpace(entry.Url))
                    {
                        found.Add($"{key}:Url must not hold a Slack webhook's address, which is its secret: put it in an environment variable or user-secret and name it in {key}:UrlName.");
                    }
                    else if (Secret(entry.UrlName, "UrlName", required: true) is { } slack)
                    {
                        url = Address(slack, $"{key}:UrlName ('{entry.UrlName}')", found, quote: false);
                    }

                    break;
                case ChannelKind.Email:
                    if (string.IsNullOrWhiteSpace(entry.Host))
                    {
                        found.Add($"{key}:Host is required: the SMTP server.");
                    }

                    if (entry.Port is < 1 or > 65535)
                    {
                        found.Add($"{key}:Port must be between 1 and 65535.");
                    }

                    if (!IsEmail(entry.From))
                    {
                        found.Add($"{key}:From must be an email address.");
                    }

                    if (entry.To.Count == 0 || !entry.To.TrueForAll(IsEmail))
                    {
                        found.Add($"{key}:To must list one or more email addresses.");
                    }

                    if (!string.IsNullOrEmpty(entry.Password))
                    {
                        found.Add($"{key}:Password must not hold a password: put it in an environment variable or user-secret and name it in {key}:PasswordName.");
                    }

                    password = Secret(entry.PasswordName, "PasswordName", required: !string.IsNullOrWhiteSpace(entry.UserName));
                    break;
            }

            if (found.Count == before)
            {
                channels.Add(new NotificationChannel
                {
                    Id = entry.Id!, Kind = entry.Kind, Url = url, SigningKey = signingKey, Host = entry.Host?.Trim(), Port = entry.Port,
                    Security = entry.Security, UserName = entry.UserName, Password = password, From = entry.From, To = [.. entry.To],
                });
            }
        }

        var channelIds = options.Channels.Select(c => c.Id).OfType<string>().ToList();
        for (var i = 0; i < options.Rules.Count; i++)
        {
            found.AddRange(RuleProblems(options.Rules[i], $"{NotificationOptions.SectionName}:Rules:{i}:", channelIds));
            if (options.Rules.Take(i).Any(r => r.Name == options.Rules[i].Name))
            {
                found.Add($"{NotificationOptions.SectionName}:Rules:{i}:Name '{options.Rules[i].Name}' is used by another rule.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.DashboardUrl) && Address(options.DashboardUrl, $"{NotificationOptions.SectionName}:DashboardUrl", []) is null)
        {
            found.Add($"{NotificationOptions.SectionName}:DashboardUrl '{options.DashboardUrl}' is not an absolute http(s) address.");
        }

        return channels;
    }

    /// <summary>
    /// What is wrong with a rule, each problem led by <paramref name="prefix"/> (its configuration key, or nothing for
    /// the settings page's form); empty when it can be used.
    /// </summary>
    public static List<string> RuleProblems(RuleOptions rule, string prefix, IReadOnlyCollection<string> channelIds)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(rule.Name))
        {
            problems.Add($"{prefix}Name is required: the delivery log names rules by it.");
        }

        if (rule.When.Count == 0 || rule.When.Exists(w => !NotificationEvents.All.Contains(w)))
        {
            problems.Add($"{prefix}When must list events among: {string.Join(", ", NotificationEvents.All)}.");
        }

        if (rule.Channels.Count == 0 || rule.Channels.Exists(c => !channelIds.Contains(c)))
        {
            problems.Add($"{prefix}Channels must name one or more of the channels' Ids.");
        }

        if (rule.Metadata is { } metadata && metadata.IndexOf('=', StringComparison.Ordinal) <= 0)
        {
            problems.Add($"{prefix}Metadata must be key=value, e.g. team=search.");
        }

        return problems;
    }

    /// <summary>An address mail can go to or come from: <c>oncall@example.com</c> or <c>On call &lt;oncall@example.com&gt;</c>.</summary>
    private static bool IsEmail(string? text) =>
        MimeKit.MailboxAddress.TryParse(text ?? "", out var mailbox) && mailbox.Address.IndexOf('@', StringComparison.Ordinal) > 0;

    private static Uri? Address(string? text, string setting, List<string> problems, bool quote = true)
    {
        if (Uri.TryCreate(text?.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            return uri;
        }

        // A Slack address is a secret: never quoted back.
        problems.Add(quote ? $"{setting} '{text}' is not an absolute http(s) address." : $"{setting} is not an absolute http(s) address.");
        return null;
    }
}

/// <summary>Stops start-up on bad notification settings, listing every problem at once, each with its configuration key.</summary>
public sealed class NotificationOptionsValidator(IConfiguration configuration) : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        NotificationSettings.Resolve(configuration, options, out var problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
