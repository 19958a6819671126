using System.Globalization;

namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// The reader's time zone, as their browser reports it once the page is interactive (the server cannot know it
/// before): exact times are shown in it, with UTC beside them. Cascaded by the layout; absent while prerendering.
/// </summary>
public sealed record ReaderTime(TimeZoneInfo Zone)
{
    /// <summary>The zone of an IANA id such as <c>Europe/Berlin</c>, or null for an id this machine does not know.</summary>
    public static ReaderTime? From(string? ianaId) =>
        ianaId is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(ianaId, out var zone) ? new ReaderTime(zone) : null;

    /// <summary>
    /// <paramref name="at"/> exactly, in the reader's zone and in UTC ("2026-12-04 23:41:07 Europe/Berlin, 22:41:07
    /// UTC"); UTC alone when the reader's zone is UTC or not known.
    /// </summary>
    public static string Describe(DateTimeOffset at, ReaderTime? reader)
    {
        var utc = RelativeTime.Exact(at);
        if (reader is null || reader.Zone.GetUtcOffset(at) == TimeSpan.Zero && reader.Zone.BaseUtcOffset == TimeSpan.Zero)
        {
            return utc;
        }

        var local = TimeZoneInfo.ConvertTime(at, reader.Zone);
        return string.Create(CultureInfo.InvariantCulture,
            $"{local:yyyy-MM-dd HH:mm:ss} {reader.Zone.Id} (UTC{local:zzz}), {at.UtcDateTime:HH:mm:ss} UTC");
    }
}
