using System.Globalization;

namespace BatchDashboard.Dashboard.Model;

/// <summary>"3 min ago", "in 2 h": short relative times for tables, with the exact UTC time for tooltips.</summary>
public static class RelativeTime
{
    public static string Format(DateTimeOffset? value, DateTimeOffset now)
    {
        if (value is not { } at)
        {
            return "—";
        }

        var span = now - at;
        var future = span < TimeSpan.Zero;
        var text = Duration(future ? -span : span);
        return text == "now" ? "just now" : future ? $"in {text}" : $"{text} ago";
    }

    /// <summary>A compact duration: 45 s, 12 min, 3 h 5 min, 2 d 4 h.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.FromSeconds(1)) { return "now"; }
        if (span < TimeSpan.FromMinutes(1)) { return $"{(int)span.TotalSeconds} s"; }
        if (span < TimeSpan.FromHours(1)) { return $"{(int)span.TotalMinutes} min"; }
        if (span < TimeSpan.FromDays(1)) { return span.Minutes == 0 ? $"{(int)span.TotalHours} h" : $"{(int)span.TotalHours} h {span.Minutes} min"; }
        return span.Hours == 0 ? $"{(int)span.TotalDays} d" : $"{(int)span.TotalDays} d {span.Hours} h";
    }

    /// <summary>The moment for machines (a <c>&lt;time datetime&gt;</c>, a CSV cell): ISO 8601 in UTC, to the second.</summary>
    public static string Iso(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Exact(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "unknown";
}
