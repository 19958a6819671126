namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// One filter of a row of <c>FilterChips</c>: its name and count, the colour class of what it selects
/// (<c>status-failed</c>), the link that toggles it, and attributes for tests and tooltips (<c>data-status</c>).
/// </summary>
public sealed record FilterChip(string Name, int Count, string ColourClass, bool Selected, string Href, string? Title = null,
    IReadOnlyDictionary<string, object>? Attributes = null);
