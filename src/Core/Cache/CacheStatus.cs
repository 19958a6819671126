namespace BatchDashboard.Core.Cache;

/// <summary>Whether the cache database answers, for health checks and the status panel.</summary>
/// <param name="Reachable">The database opened and answered a query.</param>
/// <param name="DataSource">The database file, or PostgreSQL's host, port and database: never the connection string, which may hold a password.</param>
/// <param name="PendingMigrations">Migrations not yet applied; non-zero only while start-up is migrating.</param>
/// <param name="Error">Why the database could not be reached, when it could not.</param>
/// <param name="CheckedAt">When the check ran.</param>
public sealed record CacheStatus(bool Reachable, string DataSource, int PendingMigrations, string? Error, DateTimeOffset CheckedAt);
