using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using StandardWebhooks;

namespace BatchDashboard.Emulator;

/// <summary>Where webhooks go and the secret they are signed with.</summary>
public sealed record WebhookTarget(Uri Url, string Secret)
{
    public static bool TryCreate(string? url, string? secret, out WebhookTarget target)
    {
        target = null!;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrWhiteSpace(secret))
        {
            return false;
        }

        var base64 = secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : secret;
        var buffer = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, buffer, out var length) || length < 16)
        {
            return false;
        }

        target = new WebhookTarget(uri, secret);
        return true;
    }

    /// <summary>A fresh secret, as a provider's webhook settings would give one.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public override string ToString() => Url.ToString(); // never the secret
}

/// <summary>
/// Sends OpenAI's batch webhooks when batches end: <c>{"id":"evt_…","object":"event","type":"batch.completed",
/// "created_at":…,"data":{"id":"batch_…"}}</c>, signed with the <c>StandardWebhooks</c> library (<c>webhook-id</c>,
/// <c>webhook-timestamp</c>, <c>webhook-signature</c>). A delivery the receiver does not take with a 2xx is tried again
/// after 1 s, 5 s, 30 s, 2 min and 10 min, with the same <c>webhook-id</c> and a fresh timestamp and signature, as
/// the scheme says. It looks for ended batches four times a second, so an end is told within about a quarter second.
/// Batches that ended before it started (the seeded history) are not told.
/// </summary>
internal sealed partial class WebhookSender : BackgroundService
{
    public static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan[] Retries =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)];

    private readonly EmulatorState _state;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly ILogger<WebhookSender> _logger;
    private readonly DateTimeOffset _started;
    private readonly Channel<Delivery> _queue = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });

    public WebhookSender(EmulatorState state, EmulatorOptions options, TimeProvider time, ILogger<WebhookSender> logger)
    {
        _state = state;
        _time = time;
        _logger = logger;
        _started = time.GetUtcNow();
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Target = WebhookTarget.TryCreate(options.WebhookUrl, options.WebhookSecret, out var target) ? target : null;
        state.BatchEnded += OnBatchEnded;
    }

    /// <summary>Where webhooks go; null: none are sent. Settable while running (the dashboard's demo learns its own address late).</summary>
    public WebhookTarget? Target { get; set; }

    private sealed record Delivery(string WebhookId, string Body, int Attempt);

    private void OnBatchEnded(string batchId, string status, DateTimeOffset endedAt)
    {
        if (Target is null || endedAt < _started)
        {
            return;
        }

        var eventId = "evt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var body = string.Create(CultureInfo.InvariantCulture,
            $$$"""{"id":"{{{eventId}}}","object":"event","type":"batch.{{{status}}}","created_at":{{{endedAt.ToUnixTimeSeconds()}}},"data":{"id":"{{{batchId}}}"}}""");
        _queue.Writer.TryWrite(new Delivery("wh_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), body, 0));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ticking = TickAsync(stoppingToken);
        try
        {
            await foreach (var delivery in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await SendAsync(delivery, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        await ticking;
    }

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TickInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (Target is not null)
                {
                    _state.Tick();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task SendAsync(Delivery delivery, CancellationToken stoppingToken)
    {
        if (Target is not { } target)
        {
            return;
        }

        var now = _time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", delivery.WebhookId);
        request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", new StandardWebhook(target.Secret).Sign(delivery.WebhookId, now, delivery.Body));
        string outcome;
        try
        {
            using var response = await _http.SendAsync(request, stoppingToken);
            if (response.IsSuccessStatusCode)
            {
                LogDelivered(_logger, delivery.WebhookId, target);
                return;
            }

            outcome = $"HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex)
        {
            outcome = ex.Message;
        }
        catch (TaskCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            outcome = "no answer within 10 s";
        }

        if (delivery.Attempt >= Retries.Length)
        {
            LogGaveUp(_logger, delivery.WebhookId, target, outcome);
            return;
        }

        var wait = Retries[delivery.Attempt];
        LogRetry(_logger, delivery.WebhookId, target, outcome, wait.TotalSeconds);
        _ = RetryLaterAsync(delivery with { Attempt = delivery.Attempt + 1 }, wait, stoppingToken);
    }

    private async Task RetryLaterAsync(Delivery delivery, TimeSpan wait, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(wait, _time, stoppingToken);
            _queue.Writer.TryWrite(delivery);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override void Dispose()
    {
        _state.BatchEnded -= OnBatchEnded;
        _http.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} delivered to {Target}")]
    private static partial void LogDelivered(ILogger logger, string webhookId, WebhookTarget target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} to {Target} failed ({Outcome}); trying again in {Seconds} s")]
    private static partial void LogRetry(ILogger logger, string webhookId, WebhookTarget target, string outcome, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} to {Target} failed ({Outcome}) after every retry; giving up")]
    private static partial void LogGaveUp(ILogger logger, string webhookId, WebhookTarget target, string outcome);
}
