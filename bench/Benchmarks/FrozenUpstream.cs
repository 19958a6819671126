using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BatchDashboard.Benchmarks;

/// <summary>
/// The Batch API's list and retrieve over a fixed set of batches (newest first), on loopback: the upstream of a
/// dashboard whose cache already holds the same batches, so its sync finds nothing to change until one is added.
/// </summary>
internal sealed class FrozenUpstream : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<(string Id, string Json)> _batches;
    private Dictionary<string, int> _positions;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _files = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    public FrozenUpstream(IEnumerable<string> newestFirst)
    {
        _batches = [.. newestFirst.Select(json => (JsonNode.Parse(json)!["id"]!.GetValue<string>(), json))];
        _positions = Index(_batches);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapGet("/v1/batches", List);
        _app.MapGet("/v1/batches/{id}", Get);
        _app.MapGet("/v1/files/{id}", (string id) => _files.TryGetValue(id, out var path)
            ? Results.Text($$"""{"object":"file","id":"{{id}}","purpose":"batch_output","filename":"{{id}}.jsonl","bytes":{{new FileInfo(path).Length}},"created_at":1761896207}""", "application/json")
            : Results.NotFound());
        _app.MapGet("/v1/files/{id}/content", (string id) => _files.TryGetValue(id, out var path)
            ? Results.File(path, "application/octet-stream")
            : Results.NotFound());
        _app.StartAsync().GetAwaiter().GetResult();
        BaseUrl = new Uri(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First() + "/v1");
    }

    public Uri BaseUrl { get; }

    private int _calls;

    /// <summary>Calls answered, for the report.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Serves a file on disk as a batch file (metadata and content), streamed from disk.</summary>
    public void AddFile(string id, string path) => _files[id] = path;

    /// <summary>A batch created upstream: the newest of the list from now on.</summary>
    public void Add(string json)
    {
        var id = JsonNode.Parse(json)!["id"]!.GetValue<string>();
        lock (_gate)
        {
            _batches.Insert(0, (id, json));
            _positions = Index(_batches);
        }
    }

    private IResult List(HttpContext context)
    {
        Interlocked.Increment(ref _calls);
        var limit = int.TryParse(context.Request.Query["limit"], out var l) ? Math.Clamp(l, 1, 100) : 20;
        var after = context.Request.Query["after"].ToString();
        var page = new StringBuilder("{\"object\":\"list\",\"data\":[");
        lock (_gate)
        {
            var start = after.Length > 0 && _positions.TryGetValue(after, out var position) ? position + 1 : 0;
            var end = Math.Min(_batches.Count, start + limit);
            for (var i = start; i < end; i++)
            {
                page.Append(i > start ? "," : "").Append(_batches[i].Json);
            }

            page.Append("],\"first_id\":").Append(end > start ? $"\"{_batches[start].Id}\"" : "null")
                .Append(",\"last_id\":").Append(end > start ? $"\"{_batches[end - 1].Id}\"" : "null")
                .Append(",\"has_more\":").Append(end < _batches.Count ? "true" : "false").Append('}');
        }

        return Results.Text(page.ToString(), "application/json");
    }

    private IResult Get(string id)
    {
        Interlocked.Increment(ref _calls);
        lock (_gate)
        {
            return _positions.TryGetValue(id, out var position)
                ? Results.Text(_batches[position].Json, "application/json")
                : Results.Text("""{"error":{"message":"No such batch","type":"invalid_request_error","param":null,"code":null}}""", "application/json", statusCode: 404);
        }
    }

    private static Dictionary<string, int> Index(List<(string Id, string Json)> batches)
    {
        var positions = new Dictionary<string, int>(batches.Count, StringComparer.Ordinal);
        for (var i = 0; i < batches.Count; i++)
        {
            positions[batches[i].Id] = i;
        }

        return positions;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
