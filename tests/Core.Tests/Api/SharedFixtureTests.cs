using System.Net;
using System.Text.Json;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Batches;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Core.Tests.Api;

/// <summary>
/// Every real response and documented example in <c>../shared/fixtures/openai/</c> must read correctly. The folder
/// is read where it is (never copied). Under CI it must exist; elsewhere the tests skip when it does not.
/// </summary>
public sealed class SharedFixtureTests
{
    private static readonly string? Folder = SharedFixtures.Folder;

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        if (Folder is not null)
        {
            foreach (var file in Directory.EnumerateFiles(Folder).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order())
            {
                data.Add(Path.GetFileName(file));
            }
        }
        else
        {
            data.Add("(fixtures folder not found)");
        }

        return data;
    }

    [Fact]
    public void FixturesFolder_IsPresent_UnderCi()
    {
        if (Folder is null)
        {
            Assert.False(IsCi, "CI must have ../shared/fixtures/openai beside the repository (or BD_FIXTURES pointing at it).");
            Assert.Skip("The shared fixtures folder is not beside this checkout.");
        }

        Assert.True(Directory.EnumerateFiles(Folder, "*.json").Count() >= 10);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Fixture_ReadsCorrectly(string name)
    {
        if (Folder is null)
        {
            Assert.False(IsCi, "CI must have the shared fixtures.");
            Assert.Skip("The shared fixtures folder is not beside this checkout.");
        }

        var path = Path.Combine(Folder, name);
        var text = File.ReadAllText(path);
        if (name.EndsWith(".jsonl", StringComparison.Ordinal))
        {
            CheckJsonLines(text);
        }
        else if (name.StartsWith("batches_list", StringComparison.Ordinal))
        {
            CheckList(text);
        }
        else if (name.StartsWith("batch_", StringComparison.Ordinal))
        {
            CheckBatch(name, text);
        }
        else if (name.StartsWith("api_error_", StringComparison.Ordinal))
        {
            CheckError(name, text);
        }
        else if (name.StartsWith("file_", StringComparison.Ordinal))
        {
            using var document = JsonDocument.Parse(text);
            var file = ApiJson.ReadFile(document.RootElement);
            Assert.StartsWith("file-", file.Id, StringComparison.Ordinal);
            Assert.Equal("batch", file.Purpose);
            Assert.True(file.Bytes > 0);
            Assert.Equal(TimeSpan.FromDays(30), file.ExpiresAt - file.CreatedAt);
        }
        else if (name.StartsWith("webhook_", StringComparison.Ordinal))
        {
            using var document = JsonDocument.Parse(text);
            Assert.StartsWith("batch.", document.RootElement.GetProperty("type").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("batch_", document.RootElement.GetProperty("data").GetProperty("id").GetString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Fail($"No check knows the fixture {name}: add one.");
        }
    }

    private static void CheckBatch(string name, string text)
    {
        // The documentation's verbatim example has a trailing comma; real traffic is strict, so only this file is read leniently.
        using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = name.EndsWith(".invalid-json", StringComparison.Ordinal) });
        var result = BatchReader.Read(document.RootElement);
        var batch = Assert.IsType<Batch>(result.Batch);

        Assert.StartsWith("batch_", batch.Id, StringComparison.Ordinal);
        Assert.NotEqual(BatchStatusKind.Unknown, batch.Status.Kind);
        Assert.Contains(batch.Status.Name, name, StringComparison.Ordinal);
        Assert.NotNull(batch.CreatedAt);
        Assert.True(batch.CreatedAt > new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.StartsWith("/v1/", batch.Endpoint, StringComparison.Ordinal);
        Assert.Equal("24h", batch.CompletionWindow);
        Assert.NotNull(batch.RequestCounts);
        Assert.Equal(text.Contains("\"usage\"", StringComparison.Ordinal), batch.Usage is not null);
        Assert.Equal(text.Contains("\"model\": \"", StringComparison.Ordinal) || text.Contains("\"model\":\"", StringComparison.Ordinal), batch.Model is not null);

        // Whatever the quirks, the derived view never fails.
        var insights = BatchInsights.Of(batch, batch.CreatedAt!.Value.AddDays(3));
        Assert.Equal(batch.Status.IsTerminal, insights.CurrentPhase is null);

        if (name.Contains("counts_dont_sum", StringComparison.Ordinal) || name.Contains("expired_error_file_only", StringComparison.Ordinal))
        {
            // Expired requests are counted nowhere by the API: requests not run, not counts gone wrong.
            Assert.True(insights.Flags.HasFlag(BatchFlags.NotRun));
            Assert.False(insights.Flags.HasFlag(BatchFlags.CountsDoNotAddUp));
        }

        if (name.Contains("with_usage", StringComparison.Ordinal) || name.Contains("and_usage", StringComparison.Ordinal))
        {
            Assert.True(batch.Usage!.TotalTokens > 0);
        }
    }

    private static void CheckList(string text)
    {
        using var document = JsonDocument.Parse(text);
        var page = ApiJson.ReadBatchPage(document.RootElement, requestedLimit: 20);

        Assert.Empty(page.Rejected);
        Assert.NotEmpty(page.Batches);
        Assert.Equal(document.RootElement.GetProperty("data").GetArrayLength(), page.Batches.Count);
        Assert.Equal(document.RootElement.GetProperty("has_more").GetBoolean(), page.HasMore);
        // The cursor is the envelope's last_id (the .NET SDK's choice), else the last item's id.
        var lastId = document.RootElement.TryGetProperty("last_id", out var last) ? last.GetString() : null;
        Assert.Equal(lastId ?? page.Batches[^1].Id, page.NextCursor);
        // Newest first.
        Assert.Equal(page.Batches.OrderByDescending(b => b.CreatedAt).Select(b => b.Id), page.Batches.Select(b => b.Id));
    }

    private static void CheckError(string name, string text)
    {
        var status = name.Contains("401", StringComparison.Ordinal) ? HttpStatusCode.Unauthorized : HttpStatusCode.NotFound;

        var error = ApiJson.ReadError(status, text, "req_1");

        Assert.Equal(status, error.StatusCode);
        Assert.Equal("invalid_request_error", error.ErrorType);
        Assert.False(string.IsNullOrEmpty(error.Message));
        Assert.Equal("req_1", error.RequestId);
        if (status == HttpStatusCode.Unauthorized)
        {
            Assert.Equal(ApiFailureKind.Unauthorized, error.Kind);
            Assert.Equal("invalid_api_key", error.Code);
        }
        else
        {
            Assert.Equal("id", error.Param);
        }
    }

    private static void CheckJsonLines(string text)
    {
        var lines = text.Split('\n').Where(line => line.Trim().Length > 0).ToList();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
            Assert.False(string.IsNullOrEmpty(document.RootElement.GetProperty("custom_id").GetString()));
        }
    }

    private static bool IsCi => SharedFixtures.IsCi;
}
