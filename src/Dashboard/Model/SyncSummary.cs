using System.Globalization;
using BatchDashboard.Core.Sync;

namespace BatchDashboard.Dashboard.Model;

public enum SyncTone
{
    Ok,
    Pending,
    Error,
}

/// <summary>The sync of every connection in a few words, for the app bar's indicator; the worst state leads.</summary>
/// <param name="Details">One line per connection, for the indicator's tooltip.</param>
public sealed record SyncSummary(SyncTone Tone, string Label, IReadOnlyList<string> Details)
{
    public static SyncSummary? Of(IReadOnlyList<ConnectionSyncStatus> connections, DateTimeOffset now)
    {
        if (connections.Count == 0)
        {
            return null;
        }

        var details = connections.Select(c => $"{c.ConnectionName}: {Describe(c, now)}").ToList();
        var failing = connections.Where(c => c.Phase == SyncPhase.Failing).ToList();
        if (failing.Count > 0)
        {
            var label = failing.Any(c => c.Unauthorized) ? "API key rejected" : "Sync failing";
            return new(SyncTone.Error, connections.Count > 1 ? $"{label} ({failing.Count} of {connections.Count})" : label, details);
        }

        if (connections.Any(c => c.Phase == SyncPhase.Importing))
        {
            var imported = connections.Sum(c => c.ImportedBatches);
            return new(SyncTone.Pending, $"Importing: {Plural.Of(imported, "batch")}", details);
        }

        if (connections.Any(c => c.Phase == SyncPhase.Waiting))
        {
            return new(SyncTone.Pending, "Starting sync…", details);
        }

        // Every connection polls: the oldest last sync is the one to trust.
        var oldest = connections.Min(c => c.LastSuccessAt);
        return new(SyncTone.Ok, $"Synced {RelativeTime.Format(oldest, now)}", details);
    }

    private static string Describe(ConnectionSyncStatus sync, DateTimeOffset now) => sync.Phase switch
    {
        SyncPhase.Waiting => "starting",
        SyncPhase.Importing => $"importing, {Plural.Of(sync.ImportedBatches, "batch")} so far",
        SyncPhase.Polling => $"up to date, synced {RelativeTime.Format(sync.LastSuccessAt, now)}",
        _ => $"failing ({sync.LastError ?? "unknown error"}); last synced {RelativeTime.Format(sync.LastSuccessAt, now)}",
    };
}
