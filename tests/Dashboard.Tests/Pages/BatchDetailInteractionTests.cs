using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Components.Pages;
using BatchDashboard.Dashboard.Tests.Support;
using BatchDashboard.Tests.Shared;
using Bunit;
using Bunit.Rendering;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Dashboard.Tests.Pages;

/// <summary>
/// A batch's page in bUnit over the whole dashboard's services (a SQLite cache synced from a loopback upstream), as an
/// operator sees it in a live circuit: it re-renders when the cache changes, and its actions answer in a snackbar,
/// the cancel after a dialog's confirmation.
/// </summary>
public sealed class BatchDetailInteractionTests() : LivePageContext(TestBatches.Json("batch_running", "in_progress"))
{
    private IRenderedComponent<ContainerFragment> RenderPage() => RenderPage<BatchDetail>((nameof(BatchDetail.Id), "batch_running"));

    private static string Status(IRenderedComponent<ContainerFragment> page) =>
        page.Find("[data-testid=detail-status]").TextContent.Trim();

    [Fact]
    public async Task ABatchWithoutAModel_ShowsTheOneItsInputFileNames_ReadOnce()
    {
        // The capacity view's counting of running batches' files has had its try (and found none), so the reads
        // counted below are the results index's alone.
        await Services.GetRequiredService<BatchDashboard.Core.Capacity.IInputTokenCounting>().CountPendingAsync(Token);
        var reads = 0;
        Core.Api.Fault = async context =>
        {
            if (context.Request.Path.Value != "/v1/files/file-inputbatch_running/content")
            {
                return false;
            }

            Interlocked.Increment(ref reads);
            await context.Response.WriteAsync(
                """{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4.1-nano","messages":[]}}""" + "\n",
                context.RequestAborted);
            return true;
        };
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Equal("gpt-4o-mini-2024-07-18", page.Find("[data-testid=model]").TextContent));

        // The provider stops reporting it (as some OpenAI-compatible ones never do).
        Core.Api.Update("batch_running", b => b["model"] = null);
        await Services.GetRequiredService<IBatchOperations>().RefreshAsync("openai", "batch_running", Token);

        page.WaitForAssertion(() => Assert.Equal("gpt-4.1-nano (from its input file)", page.Find("[data-testid=model]").TextContent));
        Assert.Equal(1, reads);

        // Kept: the next change of the batch shows it again without reading the file again.
        Core.Api.Update("batch_running", b => b["request_counts"]!["completed"] = 5);
        await Services.GetRequiredService<IBatchOperations>().RefreshAsync("openai", "batch_running", Token);
        page.WaitForAssertion(() => Assert.Equal(5, Services.GetRequiredService<Dashboard.Model.BatchDetailViewModel>().Cached!.Batch.RequestCounts!.Completed));
        Assert.Equal("gpt-4.1-nano (from its input file)", page.Find("[data-testid=model]").TextContent);
        Assert.Equal(1, reads);
    }

    [Fact]
    public async Task ThePage_ReRenders_WhenTheCacheChanges()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Equal("in progress", Status(page)));

        Core.Api.Update("batch_running", b => b["status"] = "finalizing");
        await Services.GetRequiredService<IBatchOperations>().RefreshAsync("openai", "batch_running", Token);

        page.WaitForAssertion(() => Assert.Equal("finalizing", Status(page)));
    }

    [Fact]
    public void RefreshNow_SaysTheApisAnswer_InASnackbar()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=refresh]").HasAttribute("disabled")));

        page.Find("[data-testid=refresh]").Click();

        page.WaitForAssertion(() => Assert.Contains("Refreshed from the API: in progress.", page.Find(".mud-snackbar").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void Cancel_AsksFirst_KeepItRunningDoesNothing_AndConfirmingCancelsIt()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=cancel-batch]").HasAttribute("disabled")));

        page.Find("[data-testid=cancel-batch]").Click();
        page.WaitForAssertion(() => Assert.Contains("Cancel this batch?", page.Find(".mud-dialog-title").TextContent, StringComparison.Ordinal));
        page.FindAll(".mud-dialog-actions button").Single(b => b.TextContent.Contains("Keep it running", StringComparison.Ordinal)).Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".mud-dialog")));
        Assert.DoesNotContain(Core.Api.CallLog, call => call.Contains("cancel", StringComparison.Ordinal));

        page.Find("[data-testid=cancel-batch]").Click();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=confirm]")));
        page.Find("[data-testid=confirm]").Click();

        page.WaitForAssertion(() => Assert.Contains("Cancel requested. The API answered: cancelling.", page.Find(".mud-snackbar").TextContent, StringComparison.Ordinal));
        page.WaitForAssertion(() => Assert.Equal("cancelling", Status(page)));
    }
}
