using MudBlazor;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Submissions;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace BatchDashboard.Dashboard.Components.Pages;

/// <summary>
/// A new batch from a JSONL file: the file comes to the server (with progress), is checked line by line as the API
/// checks it before anything is sent, then, with the chosen endpoint, metadata and output expiry, goes to the API
/// (with progress again); the page then opens the new batch.
/// </summary>
public sealed partial class NewBatch : IDisposable
{
    /// <summary>The API's limit, and a margin for a file a few bytes over it, which the check then names.</summary>
    public const long MaxUpload = BatchInputValidator.MaxBytes + (1024 * 1024);

    public static readonly IReadOnlyList<(string Label, TimeSpan? Value)> Expiries =
    [
        ("as the API keeps them (30 days)", null), ("1 hour", TimeSpan.FromHours(1)), ("1 day", TimeSpan.FromDays(1)),
        ("7 days", TimeSpan.FromDays(7)), ("14 days", TimeSpan.FromDays(14)),
    ];

    private readonly CancellationTokenSource _disposed = new();
    private string? _path;
    private string? _fileName;
    private long _fileSize;
    private long _received;
    private bool _receiving;
    private InputValidation? _validation;
    private string? _endpoint;
    private string? _connectionId;
    private int _expiry;
    private List<MetadataPair> _metadata = [new()];
    private IReadOnlyList<InputProblem> _settingsProblems = [];
    private bool _sending;
    private long _sent;
    private string? _error;
    private DateTimeOffset _lastRender;

    [Inject] private IConnectionCatalog Connections { get; set; } = default!;
    [Inject] private Security.DashboardActions Actions { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private ILogger<NewBatch> Logger { get; set; } = default!;

    /// <summary>One metadata row of the form; blank rows are left out.</summary>
    public sealed class MetadataPair
    {
        public string Key { get; set; } = "";
        public string Value { get; set; } = "";
    }

    private IReadOnlyList<ApiConnection> Writable => [.. Connections.Connections];

    private static readonly List<BreadcrumbItem> Breadcrumbs =
    [
        new("Batches", DashboardUrls.Batches()),
        new("New batch", href: null, disabled: true),
    ];

    private bool CanSubmit => _validation is { IsValid: true } && !_sending && !_receiving && _endpoint is not null && Writable.Count > 0;

    /// <summary>Why this person may not create batches here (role or read-only); null when they may.</summary>
    private string? _refusal;

    protected override async Task OnInitializedAsync()
    {
        _connectionId = Writable.FirstOrDefault()?.Id;
        _refusal = await Actions.RefusalAsync(Security.DashboardAction.Create);
    }

    private async Task OnFileAsync(InputFileChangeEventArgs e)
    {
        Discard();
        _error = null;
        var file = e.File;
        (_fileName, _fileSize, _received, _receiving) = (file.Name, file.Size, 0, true);
        if (file.Size > MaxUpload)
        {
            _receiving = false;
            _error = $"{file.Name} is {file.Size / 1048576.0:N1} MB; a batch input file may be at most 200 MB.";
            return;
        }

        try
        {
            _path = Path.Combine(Path.GetTempPath(), $"batch-dashboard-upload-{Guid.NewGuid():N}.jsonl");
            await using (var target = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            await using (var source = file.OpenReadStream(MaxUpload, _disposed.Token))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await source.ReadAsync(buffer, _disposed.Token)) > 0)
                {
                    await target.WriteAsync(buffer.AsMemory(0, read), _disposed.Token);
                    _received += read;
                    RenderNowAndThen();
                }
            }

            await using var input = File.OpenRead(_path);
            _validation = await BatchInputValidator.ValidateAsync(input, null, _disposed.Token);
            _endpoint = _validation.Endpoint is { } endpoint && BatchInputValidator.Endpoints.Contains(endpoint) ? endpoint : _endpoint;
            if (_validation.IsValid && _endpoint is not null)
            {
                await RevalidateAsync();
            }
        }
        catch (IOException ex)
        {
            Logger.LogWarning(ex, "Receiving upload {FileName} failed", file.Name);
            _error = $"The file could not be received: {ex.Message}";
            Discard();
        }
        finally
        {
            _receiving = false;
        }
    }

    /// <summary>The lines must name the endpoint chosen: checking again against it names the lines that do not.</summary>
    private async Task OnEndpointAsync(string? endpoint)
    {
        _endpoint = string.IsNullOrEmpty(endpoint) ? null : endpoint;
        await RevalidateAsync();
    }

    private async Task RevalidateAsync()
    {
        if (_path is null || _endpoint is null)
        {
            return;
        }

        await using var input = File.OpenRead(_path);
        _validation = await BatchInputValidator.ValidateAsync(input, _endpoint, _disposed.Token);
    }

    private void AddPair()
    {
        if (_metadata.Count < BatchSubmission.MaxMetadataPairs)
        {
            _metadata.Add(new MetadataPair());
        }
    }

    private void RemovePair(MetadataPair pair)
    {
        _metadata.Remove(pair);
        if (_metadata.Count == 0)
        {
            _metadata.Add(new MetadataPair());
        }
    }

    private BatchSubmission Submission() => new(
        _endpoint ?? "",
        _metadata.Where(p => p.Key.Trim().Length > 0 || p.Value.Length > 0).GroupBy(p => p.Key.Trim()).ToDictionary(g => g.Key, g => g.Last().Value),
        Expiries[_expiry].Value);

    private async Task SubmitAsync()
    {
        if (_path is null || _connectionId is null || !CanSubmit)
        {
            return;
        }

        var submission = Submission();
        _settingsProblems = submission.Validate();
        if (_settingsProblems.Count > 0)
        {
            return;
        }

        (_sending, _sent, _error) = (true, 0, null);
        try
        {
            await using var input = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var progress = new Progress<long>(sent =>
            {
                _sent = sent;
                _ = InvokeAsync(RenderNowAndThen);
            });
            var batch = await Actions.CreateAsync(_connectionId, input, _fileName ?? "requests.jsonl", submission, progress, _disposed.Token);
            Snackbar.Success($"Created {BatchRowViewModel.ShortIdOf(batch.Id)}: {StatusDisplay.Text(batch.Status)}.");
            Discard();
            Navigation.NavigateTo(DashboardUrls.Batch(batch.Id, _connectionId));
        }
        catch (BatchApiException ex)
        {
            _error = $"The API refused the batch: {ex.Summary}";
        }
        catch (Security.ActionRefusedException ex)
        {
            _error = ex.Message;
        }
        catch (ArgumentException ex)
        {
            _error = ex.Message;
        }
        finally
        {
            _sending = false;
        }
    }

    private void RenderNowAndThen()
    {
        var now = Time.GetUtcNow();
        if (now - _lastRender > TimeSpan.FromMilliseconds(200))
        {
            _lastRender = now;
            StateHasChanged();
        }
    }

    private void Discard()
    {
        if (_path is not null)
        {
            try
            {
                File.Delete(_path);
            }
            catch (IOException)
            {
                // A temporary file; the system cleans its folder.
            }
        }

        (_path, _validation) = (null, null);
    }

    public void Dispose()
    {
        Discard();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
