using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace BatchDashboard.Tests.Shared;

/// <summary>Loopback ports for the tests that start a process, and what a page served there links to.</summary>
public static partial class Loopback
{
    /// <summary>A port free on 127.0.0.1 now (for a process that must be told its port before it starts).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The paths of the assets a page links to (relative to its base): the dashboard library's and the framework's script.</summary>
    public static IReadOnlyList<string> AssetsOf(string html) => [.. DashboardAsset().Matches(html).Select(m => m.Groups["path"].Value)];

    [GeneratedRegex("(?:href|src)=\"(?<path>(?:_content/BatchDashboard\\.Dashboard|_framework)/[^\"]+)\"")]
    private static partial Regex DashboardAsset();
}
