using System.Net.Http.Headers;
using BatchDashboard.Core.Webhooks;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace BatchDashboard.Core.Notifications;

/// <summary>
/// Marks a request whose address is a secret (a Slack incoming webhook's: its path is the credential), so telemetry
/// leaves it out: a trace's <c>url.full</c> would carry it.
/// </summary>
public static class SecretAddress
{
    public static readonly HttpRequestOptionsKey<bool> Option = new("BatchDashboard.SecretAddress");

    public static bool Of(HttpRequestMessage request) => request.Options.TryGetValue(Option, out var secret) && secret;
}

/// <summary>What one try at a delivery came to: whether it went, and what the other end answered, in words.</summary>
internal sealed record SendResult(bool Sent, string Answer);

/// <summary>
/// Sends a message through a channel: a webhook (our JSON, signed the Standard Webhooks way with the channel's secret,
/// its <c>webhook-id</c> the same on every try), a Slack-compatible incoming webhook, or email over SMTP (MailKit).
/// Never throws for the other end's failure: the result says what happened, without a secret in it.
/// </summary>
internal sealed class NotificationSender(IHttpClientFactory httpClients, TimeProvider timeProvider)
{
    public const string HttpClientName = "BatchDashboard.Notifications";

    public async Task<SendResult> SendAsync(NotificationChannel channel, NotificationMessage message, CancellationToken cancellationToken)
    {
        try
        {
            return channel.Kind switch
            {
                ChannelKind.Webhook => await PostAsync(channel, message.Json(), message.Id, cancellationToken),
                ChannelKind.Slack => await PostAsync(channel, message.SlackJson(), webhookId: null, cancellationToken),
                _ => await MailAsync(channel, message, cancellationToken),
            };
        }
        catch (HttpRequestException ex)
        {
            return new SendResult(false, $"could not reach {Where(channel)}: " + ex.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "its host name is not known",
                HttpRequestError.SecureConnectionError => "the TLS handshake failed",
                HttpRequestError.ConnectionError => "the connection was refused or dropped",
                _ => "the request failed on the way",
            });
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendResult(false, $"{Where(channel)} did not answer within 30 s");
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or SmtpCommandException or SmtpProtocolException
            or AuthenticationException or SslHandshakeException or MailKit.ServiceNotConnectedException)
        {
            return new SendResult(false, $"{Where(channel)}: {ex.Message}");
        }
    }

    // A Slack address is a secret: its host only.
    private static string Where(NotificationChannel channel) => channel.Kind switch
    {
        ChannelKind.Slack => channel.Url!.Host,
        ChannelKind.Webhook => channel.Url!.Authority,
        _ => $"{channel.Host}:{channel.Port}",
    };

    private async Task<SendResult> PostAsync(NotificationChannel channel, byte[] body, string? webhookId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, channel.Url) { Content = new ByteArrayContent(body) };
        request.Options.Set(SecretAddress.Option, channel.Kind == ChannelKind.Slack);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        if (webhookId is not null)
        {
            var timestamp = timeProvider.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.Add(WebhookSignature.IdHeader, webhookId);
            request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (channel.SigningKey is { } key)
            {
                request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(key, webhookId, timestamp, body));
            }
        }

        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        var answer = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        return new SendResult(response.IsSuccessStatusCode, answer);
    }

    private static async Task<SendResult> MailAsync(NotificationChannel channel, NotificationMessage message, CancellationToken cancellationToken)
    {
        var mail = new MimeMessage { Subject = message.Title };
        mail.From.Add(MailboxAddress.Parse(channel.From!));
        foreach (var to in channel.To)
        {
            mail.To.Add(MailboxAddress.Parse(to));
        }

        mail.Body = new TextPart("plain") { Text = message.Link is null ? message.Text : $"{message.Text}\n\nOpen it: {message.Link}\n" };
        using var smtp = new SmtpClient { Timeout = 30_000 };
        await smtp.ConnectAsync(channel.Host!, channel.Port, channel.Security switch
        {
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.None => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTlsWhenAvailable,
        }, cancellationToken);
        if (channel.UserName is { } user)
        {
            await smtp.AuthenticateAsync(user, channel.Password ?? "", cancellationToken);
        }

        var answer = await smtp.SendAsync(mail, cancellationToken);
        await smtp.DisconnectAsync(quit: true, cancellationToken);
        return new SendResult(true, string.IsNullOrWhiteSpace(answer) ? $"accepted by {channel.Host}" : $"accepted by {channel.Host}: {answer.Trim()}");
    }
}
