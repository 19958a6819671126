using System.Net;
using System.Text.Json;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Dashboard.Tests.Pages;

/// <summary>Every real batch in ../shared/fixtures/openai/, served by an upstream and synced, is shown on the list.</summary>
public sealed class FixtureDisplayTests : IAsyncDisposable
{
    private readonly DashboardAppFactory _app = new();
    private readonly FakeBatchApi _api;

    public FixtureDisplayTests() => _api = _app.WithFakeUpstream();

    [Fact]
    public async Task EveryFixtureBatch_IsListed_WithItsStatus()
    {
        var expected = new Dictionary<string, string>();
        foreach (var json in SharedFixtures.BatchObjects())
        {
            var batch = BatchReader.Read(json).Batch!;
            expected[batch.Id] = batch.Status.Name.Replace('_', ' ');
            _api.Add(json);
        }

        using var client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);
        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/batches", TestContext.Current.CancellationToken));

        Assert.True(expected.Count >= 15, $"only {expected.Count} fixture batches found");
        Assert.Contains($"{expected.Count} cached", html, StringComparison.Ordinal);
        foreach (var (id, status) in expected)
        {
            var row = System.Text.RegularExpressions.Regex.Match(html, $"<tr[^>]*>(?<row>(?:(?!</tr>).)*?data-batch-id=\"{id}\".*?)</tr>", System.Text.RegularExpressions.RegexOptions.Singleline);
            Assert.True(row.Success, $"{id} is not listed");
            Assert.Contains($">{status}</span>", row.Groups["row"].Value, StringComparison.Ordinal);
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
