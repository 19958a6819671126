using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using BatchDashboard.Core.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BatchDashboard.Tests.Shared;

/// <summary>
/// The real dashboard app over its own temporary SQLite file. <see cref="StartOnLoopback"/> makes it listen on a
/// real loopback port (for a browser); otherwise it is served in memory through <c>CreateClient()</c>.
/// </summary>
public sealed class DashboardAppFactory : WebApplicationFactory<Program>
{
    private readonly TemporaryDatabase _database = new();
    private ApiTestServer? _upstream;
    private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase);
    private TimeProvider? _clock;
    private IPAddress _clientAddress = IPAddress.Loopback;

    /// <summary>Every line the app logs (information and above).</summary>
    public CapturedLogs Logs { get; } = new();

    public TemporaryDatabase Database => _database;

    public DashboardAppFactory WithSetting(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>
    /// The app's clock: pages, flags and the sync read "now" from it. A <see cref="ManualClock"/> fixes "now" while
    /// the sync's waits still pass in real time.
    /// </summary>
    public DashboardAppFactory WithClock(TimeProvider clock)
    {
        _clock = clock;
        return this;
    }

    /// <summary>
    /// The address in-memory requests (<c>CreateClient()</c>) come from; loopback unless told, as a browser on the
    /// same machine would be (the test server itself gives none).
    /// </summary>
    public DashboardAppFactory WithClientAddress(IPAddress address)
    {
        _clientAddress = address;
        return this;
    }

    /// <summary>
    /// Lets the app start its demo on the built-in emulator when no connection is configured. Off by default, so a
    /// test sees exactly the connections it configures.
    /// </summary>
    public DashboardAppFactory WithDemo() => WithSetting("BatchDashboard:Demo:Enabled", "true");

    /// <summary>Starts a fake Batch API on loopback, owned and disposed by this factory, and connects the app to it.</summary>
    public FakeBatchApi WithFakeUpstream()
    {
        var api = new FakeBatchApi();
        _upstream = new ApiTestServer(api.HandleAsync);
        WithUpstream(_upstream.BaseUrl);
        return api;
    }

    /// <summary>Connects the app to an upstream (the default connection, as <c>OPENAI_API_KEY</c> makes it), polling fast.</summary>
    public DashboardAppFactory WithUpstream(Uri baseUrl, string apiKey = "sk-test-key") => this
        .WithSetting("OPENAI_API_KEY", apiKey)
        .WithSetting("OPENAI_BASE_URL", baseUrl.ToString())
        .WithSetting("BatchDashboard:Sync:ActivePollInterval", "00:00:00.200")
        .WithSetting("BatchDashboard:Sync:IdlePollInterval", "00:00:00.200")
        .WithSetting("BatchDashboard:Sync:ErrorRetryInterval", "00:00:00.200")
        .WithSetting("BatchDashboard:Api:BaseDelay", "00:00:00.001")
        .WithSetting("BatchDashboard:Api:MaxDelay", "00:00:00.005");

    /// <summary>
    /// Completes when a sync state change satisfies <paramref name="condition"/> (or already does): waits on the
    /// sync's own notifications, never on a timer.
    /// </summary>
    public Task WaitForSyncAsync(Func<ConnectionSyncStatus, bool> condition, TimeSpan? timeout = null) =>
        WaitForSyncAsync(Services, condition, timeout);

    /// <summary>The same, for any app that runs the dashboard (a host app's services).</summary>
    public static async Task WaitForSyncAsync(IServiceProvider services, Func<ConnectionSyncStatus, bool> condition, TimeSpan? timeout = null)
    {
        var sync = services.GetRequiredService<ISyncStatusProvider>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = services.GetRequiredService<IBatchChangeNotifications>().Subscribe(_ =>
        {
            if (sync.GetAll().Any(condition))
            {
                done.TrySetResult();
            }

            return Task.CompletedTask;
        });
        if (sync.GetAll().Any(condition))
        {
            return;
        }

        await done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(20));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:BatchCache", _database.ConnectionString);
        // Tests must not depend on whatever the developer has in their environment.
        builder.UseSetting("OPENAI_API_KEY", "");
        builder.UseSetting("BatchDashboard:Demo:Enabled", "false");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new ClientAddressFilter(_clientAddress)));
        if (_clock is { } clock)
        {
            builder.ConfigureServices(services => services.AddSingleton(clock));
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _upstream?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _upstream = null;
            _database.Dispose();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
            _upstream = null;
        }

        _database.Dispose();
    }
}

/// <summary>Gives requests without a peer address (the in-memory test server's) the test's client address.</summary>
internal sealed class ClientAddressFilter(IPAddress address) : IStartupFilter
{
    public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
    {
        app.Use(nextMiddleware => context =>
        {
            context.Connection.RemoteIpAddress ??= address;
            return nextMiddleware(context);
        });
        next(app);
    };
}

/// <summary>Any app of the dashboard's (the standalone one, a host) on a real loopback port.</summary>
public static class LoopbackApps
{
    /// <summary>Starts the app in Kestrel on 127.0.0.1 with a free port and returns its base address.</summary>
    public static Uri StartOnLoopback<TEntryPoint>(this WebApplicationFactory<TEntryPoint> factory) where TEntryPoint : class
    {
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        return new Uri(factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
    }
}
