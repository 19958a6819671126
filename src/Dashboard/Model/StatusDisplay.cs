using BatchDashboard.Core.Batches;

namespace BatchDashboard.Dashboard.Model;

/// <summary>How a batch status reads and which colour it takes, in one place for chips, filters and the timeline.</summary>
public static class StatusDisplay
{
    /// <summary>"in progress"; an unknown status as the provider sent it.</summary>
    public static string Text(BatchStatus status) => status.Name.Replace('_', ' ');

    public static string Text(BatchStatusKind kind) => Text(BatchStatus.Of(kind));

    /// <summary>The chip's colour class: <c>status-in-progress</c>, or <c>status-unknown</c> for a status this version does not know.</summary>
    public static string CssClass(BatchStatus status) => CssClass(status.Kind);

    public static string CssClass(BatchStatusKind kind) => "status-" + BatchStatus.NameOf(kind).Replace('_', '-');
}
