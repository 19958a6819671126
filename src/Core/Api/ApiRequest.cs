using BatchDashboard.Core.Connections;

namespace BatchDashboard.Core.Api;

/// <summary>What the client tells its handlers about a request, through <see cref="HttpRequestMessage.Options"/>.</summary>
internal static class ApiRequest
{
    /// <summary>The connection whose key and headers the request carries.</summary>
    public static readonly HttpRequestOptionsKey<ApiConnection> Connection = new("batch-dashboard.connection");

    /// <summary>True for requests that are safe to repeat (reads, cancel). Create and upload never are.</summary>
    public static readonly HttpRequestOptionsKey<bool> Retriable = new("batch-dashboard.retriable");

    /// <summary>True for uploads: sending 200 MB can take longer than any fixed timeout, so only the caller's token bounds it.</summary>
    public static readonly HttpRequestOptionsKey<bool> Unbounded = new("batch-dashboard.unbounded");

    /// <summary>True when the caller streams the body itself (file content), so it must not be buffered.</summary>
    public static readonly HttpRequestOptionsKey<bool> Streamed = new("batch-dashboard.streamed");
}
