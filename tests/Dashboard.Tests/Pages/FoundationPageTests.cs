using System.Net;
using System.Text.Json;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Dashboard.Tests.Pages;

/// <summary>The app served whole, in memory, over its real middleware pipeline and a real SQLite file.</summary>
public sealed class FoundationPageTests(FoundationPageTests.AppFixture app) : IClassFixture<FoundationPageTests.AppFixture>
{
    public sealed class AppFixture : IAsyncDisposable
    {
        public DashboardAppFactory Factory { get; } = new();

        public ValueTask DisposeAsync() => Factory.DisposeAsync();
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/batches")]
    public async Task BatchList_IsPrerendered_WithTheHowToConfigureState_WhenNoKeyIsConfigured(string path)
    {
        using var client = app.Factory.CreateClient();

        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<title>Batches · Batch Dashboard</title>", html, StringComparison.Ordinal);
        Assert.Contains("No batches to show yet", html, StringComparison.Ordinal);
        Assert.Contains("OPENAI_API_KEY", html, StringComparison.Ordinal);
        Assert.Contains("Reachable", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_ReferencesFingerprintedAssets_AndEachOneIsServed()
    {
        using var client = app.Factory.CreateClient();
        var html = await client.GetStringAsync("/", TestContext.Current.CancellationToken);

        // Blazor's script is the framework's own (the app's _framework/), MudBlazor's its package's; the rest is the
        // dashboard library's, its components' scoped styles included.
        string[] assets = ["_framework/blazor.web.", "_content/MudBlazor/MudBlazor.min.", .. new[] { "css/tokens.", "css/components.", "BatchDashboard.Dashboard.", "js/theme." }.Select(a => "_content/BatchDashboard.Dashboard/" + a)];
        foreach (var prefix in assets)
        {
            var start = html.IndexOf("=\"" + prefix, StringComparison.Ordinal);
            Assert.True(start >= 0, $"The page does not reference {prefix}*");
            var path = html[(start + 2)..html.IndexOf('"', start + 2)];
            Assert.Matches(@"\.[a-z0-9]{10}\.", path); // fingerprinted, so it can be cached for ever

            using var response = await client.GetAsync("/" + path, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Content.Headers.ContentLength > 0, $"{path} is empty");
        }
    }

    [Fact]
    public async Task BlazorScript_IsTheFrameworksOwn_WithItsReconnectionEvents()
    {
        using var client = app.Factory.CreateClient();
        var html = await client.GetStringAsync("/", TestContext.Current.CancellationToken);
        var path = Loopback.AssetsOf(html).Single(a => a.StartsWith("_framework/blazor.web.", StringComparison.Ordinal));

        var script = await client.GetStringAsync("/" + path, TestContext.Current.CancellationToken);

        // Raised by .NET 10's script only: the .NET 9 copy the build once extracted had no such event.
        Assert.Contains("components-reconnect-state-changed", script, StringComparison.Ordinal);
        Assert.DoesNotContain("_content/BatchDashboard.Dashboard/_framework/", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthz_Answers200_WithTheCacheState()
    {
        using var client = app.Factory.CreateClient();

        using var response = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("healthy", body.RootElement.GetProperty("checks").GetProperty("cache").GetProperty("status").GetString());
    }

    [Fact]
    public async Task UnknownAddress_Answers404_WithANotFoundPage()
    {
        using var client = app.Factory.CreateClient();

        using var response = await client.GetAsync("/no/such/page", TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("This page does not exist", html, StringComparison.Ordinal);
    }
}
