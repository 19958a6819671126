using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using BatchDashboard.Emulator.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BatchDashboard.Emulator;

/// <summary>Builds the emulator's web app, the same way standalone and in-process.</summary>
public static class EmulatorApp
{
    /// <summary>
    /// Adds the emulator to <paramref name="builder"/> (Kestrel on loopback at <see cref="EmulatorOptions.Port"/>)
    /// and returns the built app, seeded with <see cref="EmulatorOptions.SeedBatches"/> batches of history.
    /// </summary>
    public static WebApplication Build(WebApplicationBuilder builder, EmulatorOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("The emulator's options are not usable:" + Environment.NewLine + string.Join(Environment.NewLine, problems), nameof(options));
        }

        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new EmulatorState(options, time));
        builder.Services.AddSingleton(new EmulatorFaults(options));
        // The emulator's clock for its webhooks only: the host's own services keep the system's.
        builder.Services.AddSingleton(provider => new WebhookSender(
            provider.GetRequiredService<EmulatorState>(), options, time, provider.GetRequiredService<ILogger<WebhookSender>>()));
        builder.Services.AddHostedService(provider => provider.GetRequiredService<WebhookSender>());

        var app = builder.Build();
        var state = app.Services.GetRequiredService<EmulatorState>();
        if (options.SeedBatches > 0)
        {
            DemoHistory.Seed(state, options.SeedBatches);
        }

        app.UseMiddleware<EmulatorMiddleware>();
        new EmulatorApi(state).Map(app);
        MapControl(app);
        return app;
    }

    /// <summary>The emulator's own routes, outside the API: what it is, and its faults, replaceable at run time.</summary>
    private static void MapControl(WebApplication app)
    {
        app.MapGet("/", (HttpContext context) => Results.Text(
            $"OpenAI Batch API emulator. Base URL: {context.Request.Scheme}://{context.Request.Host}/v1 (Bearer key required).\n"));

        var faults = app.Services.GetRequiredService<EmulatorFaults>();
        var key = app.Services.GetRequiredService<EmulatorOptions>().ApiKey;
        app.MapGet("/_emulator/faults", () => Results.Json(faults.Rules.ToList(), EmulatorControlJson.Default.ListFaultRule));
        app.MapPut("/_emulator/faults", async (HttpContext context) =>
        {
            if (context.Request.Headers.Authorization.ToString() != "Bearer " + key)
            {
                return Results.Json(new ControlError("The emulator's key is required (Authorization: Bearer ...)."), EmulatorControlJson.Default.ControlError, statusCode: 401);
            }

            List<FaultRule>? rules;
            try
            {
                rules = await JsonSerializer.DeserializeAsync(context.Request.Body, EmulatorControlJson.Default.ListFaultRule, context.RequestAborted);
            }
            catch (JsonException ex)
            {
                return Results.Json(new ControlError($"The body must be a JSON array of fault rules: {ex.Message}"), EmulatorControlJson.Default.ControlError, statusCode: 400);
            }

            var problems = (rules ?? []).SelectMany((rule, i) => rule.Validate($"[{i}]")).ToList();
            if (problems.Count > 0)
            {
                return Results.Json(new ControlError(string.Join(" ", problems)), EmulatorControlJson.Default.ControlError, statusCode: 400);
            }

            faults.Set(rules ?? []);
            return Results.Json(faults.Rules.ToList(), EmulatorControlJson.Default.ListFaultRule);
        });
    }
}

internal sealed record ControlError(string Error);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(List<FaultRule>))]
[JsonSerializable(typeof(ControlError))]
internal sealed partial class EmulatorControlJson : JsonSerializerContext;

/// <summary>
/// The emulator running in this process on a loopback port: what the dashboard's demo and the tests use.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmulatorServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The API's base address, e.g. <c>http://127.0.0.1:41234/v1</c>.</summary>
    public Uri BaseUrl { get; }

    public string ApiKey => Options.ApiKey;

    public EmulatorOptions Options => _app.Services.GetRequiredService<EmulatorOptions>();

    /// <summary>The faults in force; replace them to start or end an outage.</summary>
    public EmulatorFaults Faults => _app.Services.GetRequiredService<EmulatorFaults>();

    public int BatchCount => State.BatchCount;

    internal EmulatorState State => _app.Services.GetRequiredService<EmulatorState>();

    /// <summary>Where the emulator sends its webhooks when batches end, and the secret it signs them with; null: none.</summary>
    public WebhookTarget? Webhooks
    {
        get => _app.Services.GetRequiredService<WebhookSender>().Target;
        set => _app.Services.GetRequiredService<WebhookSender>().Target = value;
    }

    /// <summary>Starts an emulator on 127.0.0.1 (a free port unless <see cref="EmulatorOptions.Port"/> names one).</summary>
    public static async Task<EmulatorServer> StartAsync(EmulatorOptions options, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = EmulatorApp.Build(builder, options, time ?? TimeProvider.System);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new EmulatorServer(app, new Uri(address.TrimEnd('/') + "/v1"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
