using MudBlazor;
using BatchDashboard.Core.Batches;
using BatchDashboard.Dashboard.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace BatchDashboard.Dashboard.Components.Pages;

/// <summary>
/// A new batch from a JSONL file (<see cref="NewBatchViewModel"/>): the file comes to the server (with progress), is
/// checked line by line as the API checks it before anything is sent, then, with the chosen endpoint, metadata and
/// output expiry, goes to the API (with progress again); the page then opens the new batch.
/// </summary>
public sealed partial class NewBatch : IDisposable
{
    private DateTimeOffset _lastRender;
    private bool _shownCounting;

    [Inject] private NewBatchViewModel Model { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    private static readonly List<BreadcrumbItem> Breadcrumbs =
    [
        new("Batches", DashboardUrls.Batches()),
        new("New batch", href: null, disabled: true),
    ];

    /// <summary>A batch the API refused, whose input file the form starts from (<see cref="DashboardUrls.NewBatchFrom"/>).</summary>
    [SupplyParameterFromQuery(Name = "from")] private string? From { get; set; }

    [SupplyParameterFromQuery(Name = "connection")] private string? Connection { get; set; }

    protected override async Task OnInitializedAsync()
    {
        await Model.InitializeAsync();
        // Fetched once the circuit is up (not again for the prerender), with its progress shown.
        if (From is not null && RendererInfo.IsInteractive && Model.Refusal is null)
        {
            await Model.LoadFromAsync(From, Connection, RenderNowAndThen);
        }
    }

    private Task OnFileAsync(InputFileChangeEventArgs e) =>
        Model.ReceiveAsync(e.File.Name, e.File.Size, (max, token) => e.File.OpenReadStream(max, token), RenderNowAndThen);

    private async Task SubmitAsync()
    {
        if (await Model.SubmitAsync(() => _ = InvokeAsync(RenderNowAndThen)) is { } batch)
        {
            Snackbar.Success($"Created {BatchRowViewModel.ShortIdOf(batch.Id)}: {StatusDisplay.Text(batch.Status)}.");
            Navigation.NavigateTo(DashboardUrls.Batch(batch.Id, Model.ConnectionId!));
        }
    }

    /// <summary>Leaving the page drops the form and deletes the received file.</summary>
    public void Dispose() => Model.Reset();

    /// <summary>Progress redraws at most five times a second; a step from receiving to counting tokens, at once.</summary>
    private void RenderNowAndThen()
    {
        var now = Time.GetUtcNow();
        if (now - _lastRender > TimeSpan.FromMilliseconds(200) || Model.Counting != _shownCounting)
        {
            (_lastRender, _shownCounting) = (now, Model.Counting);
            StateHasChanged();
        }
    }
}
