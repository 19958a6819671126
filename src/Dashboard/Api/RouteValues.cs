namespace BatchDashboard.Dashboard.Api;

/// <summary>Route values as the API's callers meant them.</summary>
internal static class RouteValues
{
    /// <summary>
    /// A batch id from the path. The server decodes every escape in a path but <c>%2F</c>, which it leaves so that a
    /// slash inside a value cannot add a segment; ids from providers other than OpenAI can hold one.
    /// The request's span is given the id as an attribute (<see cref="Telemetry.DashboardTelemetry.TagBatch"/>).
    /// </summary>
    public static string Id(string value)
    {
        var id = value.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        Telemetry.DashboardTelemetry.TagBatch(id);
        return id;
    }
}
