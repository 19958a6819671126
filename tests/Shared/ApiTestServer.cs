using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BatchDashboard.Tests.Shared;

/// <summary>A request as the server received it.</summary>
public sealed record ReceivedRequest(string Method, string Path, string Query, string RawTarget, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A real HTTP server on a loopback port whose answers each test scripts, recording every request it receives.
/// The handler sees the request's path (under <c>/v1</c>) and writes the response.
/// </summary>
public sealed class ApiTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();

    public ApiTestServer(Func<HttpContext, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(async context =>
        {
            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            context.Request.Body.Position = 0;
            _requests.Enqueue(new ReceivedRequest(
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.QueryString.Value ?? "",
                context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "",
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                body));
            await handler(context);
        });
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.TrimEnd('/') + "/v1");
    }

    /// <summary>The API's base address, e.g. <c>http://127.0.0.1:PORT/v1</c>.</summary>
    public Uri BaseUrl { get; }

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    public static async Task WriteJsonAsync(HttpContext context, string json, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
