using BatchDashboard.Core.Results;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace BatchDashboard.Dashboard.Components.Pages;

/// <summary>
/// The insights page (<see cref="InsightsViewModel"/>): how batches performed and what they cost over a range of
/// days, by model, endpoint and a metadata key. Its range and filters live in the URL (<see cref="InsightQuery"/>), so
/// a view can be shared and its CSV files say the same. It follows the cache (batches moving on) and the results
/// index (a batch's error codes counted), re-reading the rollups when either has news.
/// </summary>
public sealed partial class Insights : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private bool _requests;
    private string _phase = "finalizing";
    private string _measure = "turnaround";
    private string? _meta;
    private string? _metaProblem;
    private DateRange? _customRange;
    private InsightQuery? _shown;
    private IDisposable? _changes;
    private IDisposable? _indexed;

    [Inject] private InsightsViewModel Model { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IBatchChangeNotifications Changes { get; set; } = default!;
    [Inject] private IResultIndexing Indexing { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "range")] public string? RangeParameter { get; set; }
    [SupplyParameterFromQuery(Name = "from")] public string? FromParameter { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? ToParameter { get; set; }
    [SupplyParameterFromQuery(Name = "connection")] public string? ConnectionParameter { get; set; }
    [SupplyParameterFromQuery(Name = "endpoint")] public string? EndpointParameter { get; set; }
    [SupplyParameterFromQuery(Name = "model")] public string? ModelParameter { get; set; }
    [SupplyParameterFromQuery(Name = "meta")] public string? MetaParameter { get; set; }
    [SupplyParameterFromQuery(Name = "group")] public string? GroupParameter { get; set; }

    private InsightQuery Query => Model.Query;

    /// <summary>The range select's value: a preset's name, or <c>custom</c>.</summary>
    private string RangeChoice => Query.Range ?? "custom";

    private string PhaseLabel => InsightsViewModel.Phases.First(p => p.Name == _phase).Label;

    private string MeasureLabel => InsightsViewModel.Phases.First(p => p.Name == _measure).Label.ToLowerInvariant();

    private IReadOnlyList<string> DayLabels => [.. Model.Days.Select(InsightsViewModel.Day)];

    protected override void OnInitialized()
    {
        if (RendererInfo.IsInteractive)
        {
            _changes = Changes.Follow(_ => ReloadAsync());
            _indexed = Indexing.Subscribe(progress => progress.Running ? Task.CompletedTask : ReloadAsync());
        }
    }

    private Task ReloadAsync() => InvokeAsync(async () =>
    {
        if (!_disposed.IsCancellationRequested)
        {
            await Model.LoadAsync(Model.Query, Model.Problems, _disposed.Token);
            StateHasChanged();
        }
    });

    protected override async Task OnParametersSetAsync()
    {
        var values = new Dictionary<string, string?>
        {
            ["range"] = RangeParameter, ["from"] = FromParameter, ["to"] = ToParameter, ["connection"] = ConnectionParameter,
            ["endpoint"] = EndpointParameter, ["model"] = ModelParameter, ["meta"] = MetaParameter, ["group"] = GroupParameter,
        };
        var query = InsightQuery.Parse(name => values.GetValueOrDefault(name), out var problems);
        await Model.LoadAsync(query, problems, _disposed.Token);
        if (_shown != query)
        {
            _shown = query;
            _meta = query.Meta;
            _metaProblem = null;
            var (from, to) = query.DaysAt(Model.Today);
            _customRange = new DateRange(from.ToDateTime(TimeOnly.MinValue), to.ToDateTime(TimeOnly.MinValue));
        }
    }

    private void Change(Func<InsightQuery, InsightQuery> change) => Navigation.NavigateTo(DashboardUrls.Insights(change(Query)));

    private void OnRangeChanged(string? choice)
    {
        if (choice == "custom")
        {
            var (from, to) = Query.DaysAt(Model.Today);
            Change(q => q with { Range = null, From = from, To = to });
        }
        else
        {
            Change(q => q with { Range = choice, From = null, To = null });
        }
    }

    private void OnCustomRangeChanged(DateRange? range)
    {
        _customRange = range;
        if (range?.Start is { } start && range.End is { } end)
        {
            Change(q => q with { Range = null, From = DateOnly.FromDateTime(start), To = DateOnly.FromDateTime(end) });
        }
    }

    private void OnMetaChanged(string? value)
    {
        _meta = value;
        _metaProblem = BatchListQuery.MetaProblem(value);
        if (_metaProblem is null)
        {
            Change(q => q with { Meta = Clean(value) });
        }
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public void Dispose()
    {
        _changes?.Dispose();
        _indexed?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
