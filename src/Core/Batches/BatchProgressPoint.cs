namespace BatchDashboard.Core.Batches;

/// <summary>A batch's status and counts as first seen at a moment: the points of its progress chart.</summary>
public sealed record BatchProgressPoint(DateTimeOffset ObservedAt, string Status, int? Total, int? Completed, int? Failed);
