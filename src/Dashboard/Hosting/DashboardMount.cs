namespace BatchDashboard.Dashboard.Hosting;

/// <summary>Where the dashboard is mapped: a path prefix, with the chrome-less embed layout under its <c>embed/</c>.</summary>
public static class DashboardMount
{
    public const string EmbedSegment = "/embed";

    /// <summary><c>"admin/batches/"</c> → <c>"/admin/batches"</c>; <c>""</c> and <c>"/"</c> → <c>""</c>.</summary>
    public static string Normalize(string? prefix)
    {
        var trimmed = (prefix ?? "").Trim().Trim('/');
        if (trimmed.Contains("//", StringComparison.Ordinal) || trimmed.IndexOfAny(['?', '#', '{', '}', '*']) >= 0)
        {
            throw new ArgumentException($"'{prefix}' is not a plain path prefix such as \"/admin/batches\".", nameof(prefix));
        }

        return trimmed.Length == 0 ? "" : "/" + trimmed;
    }
}

/// <summary>
/// Where the dashboard is mapped, so a page rendered over the circuit (which has no request) can tell from its
/// base address whether it is the embed layout.
/// </summary>
public sealed class DashboardMounts
{
    private readonly List<string> _prefixes = [];

    internal void Add(string prefix)
    {
        lock (_prefixes)
        {
            _prefixes.Add(prefix);
        }
    }

    /// <summary>The first mount's prefix (<c>""</c> for the site's root); null before the dashboard is mapped.</summary>
    public string? First
    {
        get
        {
            lock (_prefixes)
            {
                return _prefixes.Count > 0 ? _prefixes[0] : null;
            }
        }
    }

    /// <summary>
    /// True when <paramref name="baseUri"/> (a page's base address, which a proxy may have lengthened at its
    /// front) ends with a mount's prefix followed by <c>embed</c>.
    /// </summary>
    public bool IsEmbedded(string baseUri)
    {
        var path = (Uri.TryCreate(baseUri, UriKind.Absolute, out var uri) ? uri.AbsolutePath : baseUri).TrimEnd('/');
        lock (_prefixes)
        {
            return _prefixes.Any(prefix => path.EndsWith(prefix + DashboardMount.EmbedSegment, StringComparison.OrdinalIgnoreCase));
        }
    }
}
