using System.Security.Cryptography;
using BatchDashboard.Core.Capacity;
using BatchDashboard.Core.Connections;
using BatchDashboard.Dashboard.Hosting;
using BatchDashboard.Emulator;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Dashboard.Demo;

/// <summary>
/// Starts the emulator on a free loopback port with a month of seeded history and adds it as the "demo" connection,
/// before the sync starts; the dashboard then reads it through the same client, cache and pages as a real account.
/// Once the app listens, the emulator sends its webhooks to the dashboard's own <c>webhooks/demo</c>, signed with a
/// secret of this run, so a demo batch's end shows at once, as with a real account whose webhooks are set up.
/// </summary>
internal sealed partial class DemoEmulatorService(
    ConnectionCatalog catalog,
    IOptions<DemoOptions> options,
    TimeProvider timeProvider,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    ILogger<DemoEmulatorService> logger) : IHostedService, IAsyncDisposable
{
    public const string ConnectionId = "demo";

    private EmulatorServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var demo = options.Value;
        _server = await EmulatorServer.StartAsync(
            new EmulatorOptions
            {
                Port = 0,
                // A key of its own each run: the emulator listens on loopback, but nothing else should use it.
                ApiKey = "sk-demo-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                SeedBatches = demo.Batches,
                // The demo's account is on a usage tier: batches sent to it are held to that tier's published limits.
                QueuedTokenLimits = new Dictionary<string, long>(PublishedLimits.Of(CapacityOptions.DemoTier)),
            },
            timeProvider,
            cancellationToken);

        var webhookSecret = WebhookTarget.NewSecret();
        ConnectionCatalog.TryReadWebhookSecret(webhookSecret, out var webhookKey);
        catalog.Add(new ApiConnection
        {
            Id = ConnectionId,
            Name = "Demo",
            Kind = ConnectionKind.Compatible,
            BaseUrl = _server.BaseUrl,
            ApiKey = _server.ApiKey,
            WebhookKey = webhookKey,
            IsDemo = true,
        });
        LogDemo(logger, demo.Batches, _server.BaseUrl);
        lifetime.ApplicationStarted.Register(() => SendWebhooksHere(webhookSecret));
    }

    /// <summary>Points the emulator's webhooks at this app, once it listens on a real address (not under a test server).</summary>
    private void SendWebhooksHere(string secret)
    {
        if (_server is not null && SelfAddress.Of(services) is { } root)
        {
            _server.Webhooks = new WebhookTarget(new Uri($"{root.ToString().TrimEnd('/')}/webhooks/{ConnectionId}"), secret);
            LogWebhooks(logger, _server.Webhooks.Url);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The demo's emulator sends its webhooks to {Url}")]
    private static partial void LogWebhooks(ILogger logger, Uri url);

    [LoggerMessage(Level = LogLevel.Information, Message = "No API key is configured: showing a demo of {Batches} batches from the built-in emulator at {BaseUrl}. Set OPENAI_API_KEY to see your own.")]
    private static partial void LogDemo(ILogger logger, int batches, Uri baseUrl);
}
