using System.Globalization;

namespace BatchDashboard.Dashboard.Model;

/// <summary>A count and its noun, singular for one: "1 request", "2,400 requests".</summary>
public static class Plural
{
    public static string Of(long count, string noun, string? plural = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {(count == 1 ? noun : plural ?? noun + "s")}");
}
