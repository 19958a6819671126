using System.Net;
using System.Text.Json;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Dashboard.Tests.Pages;

/// <summary>The whole app syncing from a loopback upstream into its SQLite file, and its pages reading the cache.</summary>
public sealed class SyncedPageTests : IAsyncDisposable
{
    private readonly DashboardAppFactory _app = new();
    private readonly FakeBatchApi _api;

    public SyncedPageTests() => _api = _app.WithFakeUpstream();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BatchList_ShowsTheCachedBatches_AfterTheFirstImport()
    {
        _api.Add(TestBatches.Json("batch_68ffc52039d08190aac1dd7fdc35826f", "in_progress", created: TestBatches.Created + 10));
        _api.Add(TestBatches.Json("batch_older", "completed", created: TestBatches.Created));
        using var client = _app.CreateClient();

        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);
        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/batches", Token));

        Assert.Contains("2 cached", html, StringComparison.Ordinal);
        Assert.Contains("batch_…dc35826f", html, StringComparison.Ordinal); // the short id
        Assert.Contains("title=\"batch_68ffc52039d08190aac1dd7fdc35826f\"", html, StringComparison.Ordinal);
        Assert.Matches("status status-in-progress\"[^>]*>.*?>in progress</span>", html);
        Assert.Contains("Up to date", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Give it an API key", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("batch_68ffc", StringComparison.Ordinal) < html.IndexOf("batch_older", StringComparison.Ordinal), "newest first");
        // One of the running batch's four finished requests failed: it needs attention, a chip that filters to it.
        Assert.Matches("(?s)href=\"batches\\?attention=1\"[^>]*data-testid=\"needs-attention\".*?filter-chip__count\"[^>]*>1<", html);
    }

    [Fact]
    public async Task Healthz_ReportsEachConnectionsSync()
    {
        _api.Add(TestBatches.Json("batch_1", "completed"));
        using var client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);

        using var body = JsonDocument.Parse(await client.GetStringAsync("/healthz", Token));

        var sync = body.RootElement.GetProperty("checks").GetProperty("sync");
        Assert.Equal("healthy", sync.GetProperty("status").GetString());
        Assert.Equal("polling", sync.GetProperty("data").GetProperty("openai").GetProperty("state").GetString());
    }

    [Fact]
    public async Task RejectedKey_IsShownAsSuch_AndHealthzIsDegradedButStill200()
    {
        _api.Fault = async context =>
        {
            await ApiTestServer.WriteJsonAsync(context,
                """{"error":{"message":"Incorrect API key provided: sk-test***.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""", 401);
            return true;
        };
        // One cycle only: a rejected key waits the idle interval before the next.
        _app.WithSetting("BatchDashboard:Sync:IdlePollInterval", "01:00:00");
        using var client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Failing);

        using var health = await client.GetAsync("/healthz", Token);
        using var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync(Token));
        var html = await client.GetStringAsync("/", Token);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("degraded", body.RootElement.GetProperty("status").GetString());
        Assert.Contains("The API rejected the key", html, StringComparison.Ordinal);
        Assert.Contains("The API could not be reached yet", html, StringComparison.Ordinal);
        Assert.Contains("Check the key, then restart the dashboard.", html, StringComparison.Ordinal);
        Assert.Contains("Incorrect API key provided", html, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-test-key", html, StringComparison.Ordinal);
        Assert.Equal(1, _api.Calls); // a rejected key is not retried
    }

    [Fact]
    public async Task BadConnectionConfiguration_StopsStartUp_NamingTheKey()
    {
        await using var app = new DashboardAppFactory()
            .WithSetting("BatchDashboard:Connections:0:Id", "azure")
            .WithSetting("BatchDashboard:Connections:0:Kind", "Azure")
            .WithSetting("BatchDashboard:Connections:0:ApiKeyName", "NOT_SET_ANYWHERE");

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.True(error.ToString().Contains("BatchDashboard:Connections:0:BaseUrl is required", StringComparison.Ordinal), error.ToString());
        Assert.Contains("'NOT_SET_ANYWHERE', which is not set", error.ToString(), StringComparison.Ordinal);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
