using System.Text.Json.Nodes;
using BatchDashboard.Core.Capacity;
using BatchDashboard.Dashboard.Components.Pages;
using BatchDashboard.Dashboard.Model;
using BatchDashboard.Dashboard.Tests.Support;
using BatchDashboard.Tests.Shared;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Dashboard.Tests.Pages;

/// <summary>
/// The capacity page and the new-batch page's warning in bUnit over the whole dashboard's services: a running batch
/// holds the unrun share of its file's prompt tokens against the limit a failed batch taught.
/// </summary>
public sealed class CapacityPageTests() : LivePageContext(Running, Taught)
{
    // 250 of 1,000 requests done: three quarters of its file's tokens still queued.
    private static readonly string Running = TestBatches.Json("batch_running", "in_progress", total: 1000, completed: 240, failed: 10);

    private static readonly string Taught = TestBatches.Json("batch_taught", "failed", total: 0, completed: 0, failed: 0, change: b =>
    {
        b["in_progress_at"] = null;
        b["failed_at"] = TestBatches.Created + 60;
        b["errors"] = JsonNode.Parse("""{"object":"list","data":[{"code":"token_limit_exceeded","message":"Enqueued token limit reached for gpt-4o-mini in organization org-abc. Limit: 1,000,000 enqueued tokens. Please try again once some in_progress batches have been completed.","param":null,"line":null}]}""");
    });

    private static string Text(string content) => System.Text.RegularExpressions.Regex.Replace(content, @"\s+", " ");

    /// <summary>
    /// The running batch's file holds this many tokens: set after the background counting has had its own try at the
    /// upstream's file, which would otherwise race this count with its own.
    /// </summary>
    private async Task HoldAsync(long tokens)
    {
        var counting = Services.GetRequiredService<IInputTokenCounting>();
        await counting.CountPendingAsync(Xunit.TestContext.Current.CancellationToken);
        await counting.RecordAsync("openai", "file-inputbatch_running", new InputTokenCount(tokens, 1000, "gpt-4o-mini-2024-07-18", "o200k_base", false),
            Xunit.TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task TheQueue_ShowsWhatItsBatchesHold_AgainstTheLimitAFailedBatchTaught()
    {
        await HoldAsync(400_000);

        var page = RenderPage<Capacity>();

        page.WaitForAssertion(() => Assert.Equal("300,000 of 1,000,000 tokens queued (30%)", page.Find("[data-testid=queue-summary]").TextContent));
        var queue = Text(page.Find("[data-testid=queue]").TextContent);
        Assert.Contains("gpt-4o-mini", queue, StringComparison.Ordinal);
        Assert.Contains("700,000 free. Limit 1,000,000, learned from batch_taught, which failed with token_limit_exceeded", queue, StringComparison.Ordinal);
        Assert.Equal(["250 of 1,000", "400,000", "300,000"], page.FindAll("[data-testid=queue] tbody td.number").Select(c => c.TextContent.Trim()));
        Assert.NotNull(page.Find("[data-testid=queue] a[href='batches/batch_running?connection=openai']"));
    }

    [Fact]
    public async Task AnUploadThatWouldPassTheLimit_IsWarnedAbout_WithWhenItWouldFit_AndCanStillBeSent()
    {
        await HoldAsync(1_332_000); // 999,000 queued of 1,000,000
        var page = RenderPage<NewBatch>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindComponents<InputFile>()));

        var lines = string.Join('\n', Enumerable.Range(1, 200).Select(i => BadInputFiles.Line($"r{i}")));
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(lines, "requests.jsonl", contentType: "application/jsonl"));

        page.WaitForAssertion(() => Assert.Contains("Over the limit now: 999,000 of gpt-4o-mini's 1,000,000 tokens are queued", Text(page.Find("[data-testid=capacity-fit]").TextContent), StringComparison.Ordinal));
        var fit = Services.GetRequiredService<NewBatchViewModel>().Fit!;
        Assert.Equal(FitVerdict.FitsLater, fit.Verdict);
        Assert.Contains("it would fit in ", page.Find("[data-testid=capacity-fit]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Sent now, the API would fail it with token_limit_exceeded.", page.Find("[data-testid=capacity-fit]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Send anyway", page.Find("[data-testid=create-batch]").TextContent.Trim());
        Assert.False(page.Find("[data-testid=create-batch]").HasAttribute("disabled"));
    }
}
