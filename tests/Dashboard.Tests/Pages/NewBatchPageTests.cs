using BatchDashboard.Dashboard.Components.Pages;
using BatchDashboard.Dashboard.Model;
using BatchDashboard.Dashboard.Tests.Support;
using BatchDashboard.Tests.Shared;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Dashboard.Tests.Pages;

/// <summary>
/// The new-batch page in bUnit over the whole dashboard's services: a chosen file is received and checked line by
/// line before anything is sent, its endpoint is taken from it, and leaving the page drops the form.
/// </summary>
public sealed class NewBatchPageTests() : LivePageContext(Refused)
{
    // A batch the API refused at validation: line 2 of its input file repeats a custom_id.
    private static readonly string Refused = TestBatches.Json("batch_refused", "failed", total: 0, completed: 0, failed: 0, change: b =>
    {
        b["in_progress_at"] = null;
        b["metadata"] = new System.Text.Json.Nodes.JsonObject { ["team"] = "search" };
        b["errors"] = System.Text.Json.Nodes.JsonNode.Parse("""{"object":"list","data":[{"code":"duplicate_custom_id","message":"The custom_id 'a' is used more than once.","param":"custom_id","line":2}]}""");
    });

    private static string Text(string content) => System.Text.RegularExpressions.Regex.Replace(content, @"\s+", " ");

    private static InputFileContent File(string content) => InputFileContent.CreateFromText(content, "requests.jsonl", contentType: "application/jsonl");

    [Fact]
    public void AGoodFile_IsReadyToSend_WithItsEndpointChosen()
    {
        var page = RenderPage<NewBatch>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindComponents<InputFile>()));

        page.FindComponent<InputFile>().UploadFiles(File(BadInputFiles.Line("a") + "\n" + BadInputFiles.Line("b") + "\n"));

        page.WaitForAssertion(() => Assert.Contains(
            "2 requests to /v1/chat/completions with gpt-4o-mini: ready to send.", page.Find("[data-testid=validation]").TextContent, StringComparison.Ordinal));
        Assert.Equal("requests.jsonl · 0.3 KB", page.Find("[data-testid=file-name]").TextContent);
        Assert.False(page.Find("[data-testid=create-batch]").HasAttribute("disabled"));
        Assert.Equal("/v1/chat/completions", Services.GetRequiredService<NewBatchViewModel>().Endpoint);
    }

    [Fact]
    public void ABadFile_ListsEachProblemWithItsLine_AndCannotBeSent()
    {
        var page = RenderPage<NewBatch>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindComponents<InputFile>()));
        var duplicate = BadInputFiles.All.Single(f => f.Why == "duplicate custom_id");

        page.FindComponent<InputFile>().UploadFiles(File(duplicate.Content));

        page.WaitForAssertion(() => Assert.Contains("The API would refuse this file: 1 problem in 3 lines.", Text(page.Find("[data-testid=validation]").TextContent), StringComparison.Ordinal));
        var cells = page.FindAll("[data-testid=validation] tbody td").Select(c => c.TextContent).ToList();
        Assert.Equal(["3", "duplicate_custom_id"], cells.Take(2));
        Assert.True(page.Find("[data-testid=create-batch]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task LeavingThePage_DropsTheForm_AndOpeningItAgainStartsOver()
    {
        var page = RenderPage<NewBatch>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindComponents<InputFile>()));
        page.FindComponent<InputFile>().UploadFiles(File(BadInputFiles.Line("a") + "\n"));
        var model = Services.GetRequiredService<NewBatchViewModel>();
        page.WaitForAssertion(() => Assert.NotNull(model.Validation));

        await DisposeComponentsAsync();

        Assert.Null(model.FileName);
        Assert.Null(model.Validation);
        var again = RenderPage<NewBatch>();
        again.WaitForAssertion(() => Assert.Equal("No file chosen", again.Find("[data-testid=file-name]").TextContent));
    }

    [Fact]
    public void ARefusedBatch_LoadsItsInputFile_WithItsProblemsEndpointAndMetadata_ToFixAndSendAgain()
    {
        var content = BadInputFiles.Line("a") + "\n" + BadInputFiles.Line("a") + "\n";
        Core.Api.Fault = async context =>
        {
            if (context.Request.Path.Value != "/v1/files/file-inputbatch_refused/content")
            {
                return false;
            }

            await context.Response.WriteAsync(content, context.RequestAborted);
            return true;
        };
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo(DashboardUrls.NewBatchFrom("batch_refused", "openai"));

        var page = RenderPage<NewBatch>();

        page.WaitForAssertion(() => Assert.Contains("The API would refuse this file: 1 problem in 2 lines.", Text(page.Find("[data-testid=validation]").TextContent), StringComparison.Ordinal));
        Assert.Contains("which the API refused", page.Find("[data-testid=loaded-from]").TextContent, StringComparison.Ordinal);
        var model = Services.GetRequiredService<NewBatchViewModel>();
        Assert.Equal("/v1/chat/completions", model.Endpoint);
        Assert.Equal([("team", "search")], model.Metadata.Select(m => (m.Key, m.Value)));
        Assert.Equal("file-inputbatch_refused.jsonl", model.FileName);
        Assert.True(page.Find("[data-testid=create-batch]").HasAttribute("disabled"));
    }
}
