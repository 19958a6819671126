using BatchDashboard.Core.Connections;

namespace BatchDashboard.Core.Api;

/// <summary>
/// Moves each request of the one Refit client onto its connection's base URL (which may carry a path and a query,
/// as Azure's do) and adds Azure's <c>api-version</c> where the connection names one. Escapes in the route's path
/// (an id holding <c>/</c> or a space) are kept as Refit wrote them.
/// </summary>
internal sealed class ConnectionAddressHandler : DelegatingHandler
{
    /// <summary>The address the Refit client is built with; no request leaves on it.</summary>
    public static readonly Uri Placeholder = new("http://batch-api.invalid/");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.RequestUri = Address(ApiCall.Of(request).Connection, request.RequestUri!);
        return base.SendAsync(request, cancellationToken);
    }

    /// <summary>The connection's base address, the route's path and query and, for Azure's classic paths, <c>api-version</c>.</summary>
    internal static Uri Address(ApiConnection connection, Uri route)
    {
        var path = route.GetComponents(UriComponents.Path, UriFormat.UriEscaped);
        var query = route.GetComponents(UriComponents.Query, UriFormat.UriEscaped);
        var baseUrl = connection.BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        var parts = new List<string>(3);
        var baseQuery = connection.BaseUrl.Query.TrimStart('?');
        if (baseQuery.Length > 0)
        {
            parts.Add(baseQuery);
        }

        if (query.Length > 0)
        {
            parts.Add(query);
        }

        if (connection.ApiVersion is { } version && !baseQuery.Contains("api-version=", StringComparison.Ordinal))
        {
            parts.Add($"api-version={Uri.EscapeDataString(version)}");
        }

        return new Uri(parts.Count == 0 ? $"{baseUrl}/{path}" : $"{baseUrl}/{path}?{string.Join('&', parts)}");
    }
}
