using System.Net;
using System.Text.RegularExpressions;
using BatchDashboard.Core.Queries;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Dashboard.Tests.Pages;

/// <summary>An upstream whose batches are damaged: the sync keeps what it can read, logs the rest by id, and no page fails.</summary>
public sealed partial class DamagedBatchPageTests : IAsyncDisposable
{
    private const int Batches = 400;
    private readonly List<string> _batches = [];
    private readonly ApiTestServer _upstream;
    private readonly DashboardAppFactory _app;

    public DamagedBatchPageTests()
    {
        var random = new Random(99);
        for (var i = 0; i < Batches; i++)
        {
            var seed = System.Text.Json.Nodes.JsonNode.Parse(BatchMutator.Seeds[i % BatchMutator.Seeds.Count])!.AsObject();
            seed["id"] = $"batch_d{i:D4}";
            seed["created_at"] = TestBatches.Created + Batches - i; // newest first, as the API lists them
            _batches.Add(BatchMutator.Mutate(seed.ToJsonString(), random, text: false));
        }

        _upstream = new ApiTestServer(ServeAsync);
        _app = new DashboardAppFactory().WithUpstream(_upstream.BaseUrl);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>The list, 100 a page with positional cursors; a batch by id where its id survived.</summary>
    private async Task ServeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!;
        if (path == "/v1/batches")
        {
            var start = context.Request.Query["after"] is { Count: > 0 } after && after.ToString().StartsWith('c') ? int.Parse(after.ToString()[1..], System.Globalization.CultureInfo.InvariantCulture) : 0;
            var items = _batches.Skip(start).Take(100).ToList();
            var end = start + items.Count;
            var page = $"{{\"object\":\"list\",\"data\":[{string.Join(',', items)}],\"has_more\":{(end < _batches.Count ? "true" : "false")},\"last_id\":\"c{end}\"}}";
            await ApiTestServer.WriteJsonAsync(context, page);
            return;
        }

        var id = path.Split('/').Last();
        var found = _batches.FirstOrDefault(b => b.Contains($"\"id\":\"{id}\"", StringComparison.Ordinal));
        await ApiTestServer.WriteJsonAsync(context, found ?? """{"error":{"message":"No such batch","type":"invalid_request_error","param":null,"code":null}}""", found is null ? 404 : 200);
    }

    [Fact]
    public async Task EveryPage_Answers_ForEveryBatchTheSyncCouldRead_AndEachRefusedOneIsLoggedWithItsId()
    {
        using var client = _app.CreateClient();
        try
        {
            await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling, TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            Assert.Fail("The first import did not end: " + string.Join(Environment.NewLine, _app.Logs.Lines.TakeLast(5)));
        }

        var queries = _app.Services.GetRequiredService<IBatchQueries>();
        var cached = new List<string>();
        string? cursor = null;
        do
        {
            var page = await queries.ListAsync(new BatchListRequest { PageSize = 500, Cursor = cursor }, Token);
            cached.AddRange(page.Items.Select(i => i.Batch.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        // The list, page after page, as a person would click through it.
        var next = "/batches";
        var listPages = 0;
        while (next is not null)
        {
            using var response = await client.GetAsync(next, Token);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{next}: {response.StatusCode}");
            var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(Token));
            listPages++;
            next = NextPage().Match(html) is { Success: true } match ? "/" + match.Groups[1].Value : null;
        }

        foreach (var id in cached)
        {
            using var page = await client.GetAsync($"/batches/{Uri.EscapeDataString(id)}?connection=openai", Token);
            using var api = await client.GetAsync($"/api/batches/{Uri.EscapeDataString(id)}?connection=openai", Token);
            Assert.True(page.StatusCode == HttpStatusCode.OK, $"detail of {id}: {page.StatusCode}");
            Assert.True(api.StatusCode == HttpStatusCode.OK, $"API of {id}: {api.StatusCode}");
        }

        using var csv = await client.GetAsync("/api/batches/export.csv", Token);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.True(cached.Count > Batches * 0.8, $"{cached.Count} of {Batches} cached");
        Assert.True(listPages >= cached.Count / 50);
        var skipped = _app.Logs.Lines.Where(l => l.Contains("could not be read", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(skipped);
        // Each refused object, once (the first import reads every page once; later cycles read the newest page again).
        var refused = _batches.Count(b => Core.Batches.BatchReader.Read(b).Batch is null);
        Assert.True(skipped.Count >= refused, $"{skipped.Count} logged of {refused} refused");
        Assert.All(skipped, line => Assert.True(line.Length < 400, line));
        Assert.DoesNotContain(_app.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal));
    }

    [GeneratedRegex("<a(?=[^>]*data-testid=\"next-page\")[^>]*href=\"(batches\\?[^\"]*after=[^\"]+)\"")]
    private static partial Regex NextPage();

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _upstream.DisposeAsync();
    }
}
