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
        var folder = SharedFixtures.Folder;
        if (folder is null)
        {
            Assert.False(SharedFixtures.IsCi, "CI must have ../shared/fixtures/openai beside the repository.");
            Assert.Skip("The shared fixtures folder is not beside this checkout.");
        }

        var expected = new Dictionary<string, string>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json"))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var root = document.RootElement;
            var items = root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array ? data.EnumerateArray().ToList()
                : root.TryGetProperty("object", out var kind) && kind.GetString() == "batch" ? [root] : [];
            foreach (var item in items)
            {
                var batch = BatchReader.Read(item).Batch!;
                if (expected.TryAdd(batch.Id, batch.Status.Name.Replace('_', ' ')))
                {
                    _api.Add(item.GetRawText());
                }
            }
        }

        using var client = _app.CreateClient();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);
        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/batches", TestContext.Current.CancellationToken));

        Assert.True(expected.Count >= 15, $"only {expected.Count} fixture batches found");
        Assert.Contains($"{expected.Count} cached", html, StringComparison.Ordinal);
        foreach (var (id, status) in expected)
        {
            var row = System.Text.RegularExpressions.Regex.Match(html, $"<tr[^>]*data-batch-id=\"{id}\"[^>]*>(?<row>.*?)</tr>", System.Text.RegularExpressions.RegexOptions.Singleline);
            Assert.True(row.Success, $"{id} is not listed");
            Assert.Contains($">{status}</span>", row.Groups["row"].Value, StringComparison.Ordinal);
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
