using System.Net.Http.Headers;
using BatchDashboard.Core.Connections;

namespace BatchDashboard.Core.Api;

/// <summary>Adds the connection's credentials: <c>api-key</c> for Azure, a Bearer token otherwise, and OpenAI's optional headers.</summary>
internal sealed class AuthenticationHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var connection = ApiCall.Of(request).Connection;

        request.Headers.Remove("api-key");
        request.Headers.Authorization = null;
        if (connection.Kind == ConnectionKind.Azure)
        {
            request.Headers.TryAddWithoutValidation("api-key", connection.ApiKey);
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.ApiKey);
        }

        SetHeader(request, "OpenAI-Organization", connection.Organization);
        SetHeader(request, "OpenAI-Project", connection.Project);
        return base.SendAsync(request, cancellationToken);
    }

    private static void SetHeader(HttpRequestMessage request, string name, string? value)
    {
        request.Headers.Remove(name);
        if (!string.IsNullOrEmpty(value))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
