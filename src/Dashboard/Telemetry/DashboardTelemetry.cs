using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace BatchDashboard.Dashboard.Telemetry;

/// <summary>
/// What the dashboard reports beside Core (<see cref="Core.Telemetry.CoreTelemetry"/>): a span per person's action
/// (cancel, retry, create, refresh) with its batch and outcome, and the open circuits (one per live page). Page
/// requests are ASP.NET Core's own spans and metrics. Nothing is spent unless something listens.
/// </summary>
public static class DashboardTelemetry
{
    public const string Name = "BatchDashboard.Dashboard";

    /// <summary>Every source and meter the dashboard reports through, for a host's OpenTelemetry to add.</summary>
    public static IReadOnlyList<string> Names { get; } = [Core.Telemetry.CoreTelemetry.Name, Name];

    internal static readonly ActivitySource Source = new(Name);

    internal static readonly Meter Meter = new(Name);

    /// <summary>Names the batch a request is about on its span (ASP.NET Core's, when one is recorded).</summary>
    internal static void TagBatch(string batchId) => Activity.Current?.SetTag(Core.Telemetry.CoreTelemetry.BatchIdAttribute, batchId);

    internal static readonly UpDownCounter<long> OpenCircuits = Meter.CreateUpDownCounter<long>(
        "batch_dashboard.circuits.open", "{circuit}", "Live pages: Blazor circuits open now (each holds its page's state on the server).");
}

/// <summary>Counts circuits as they open and close.</summary>
internal sealed class CircuitTelemetry : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        DashboardTelemetry.OpenCircuits.Add(1);
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        DashboardTelemetry.OpenCircuits.Add(-1);
        return Task.CompletedTask;
    }
}
