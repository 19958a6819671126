using System.Globalization;

namespace BatchDashboard.Dashboard.Model;

/// <summary>One format for a share everywhere: one decimal below 10% ("2.5%"), none from 10% ("37%").</summary>
public static class Share
{
    public static string Format(long part, long whole)
    {
        if (whole <= 0)
        {
            return "—";
        }

        var percent = 100.0 * part / whole;
        return percent.ToString(part == 0 ? "0" : percent < 9.95 ? "0.0" : "0", CultureInfo.InvariantCulture) + "%";
    }
}
