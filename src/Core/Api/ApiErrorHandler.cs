using System.Net;
using BatchDashboard.Core.Connections;
using Microsoft.Extensions.Logging;
using Polly.Timeout;

namespace BatchDashboard.Core.Api;

/// <summary>
/// The outermost handler around <see cref="IBatchApiRoutes"/>: every failure leaves it as one
/// <see cref="BatchApiException"/> carrying the API's own error type, code, message and request id (with the key
/// scrubbed from any text an upstream echoed), and is logged with its connection. A 404 passes through as an answer
/// where the call says it is one (<see cref="ApiCall.NotFoundIsAnswer"/>).
/// </summary>
internal sealed class ApiErrorHandler(ILogger<ApiErrorHandler> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = ApiCall.Of(request);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new BatchApiException(ApiFailureKind.Timeout, $"The API did not answer in time ({ex.Timeout.TotalSeconds:0.#} s).", innerException: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new BatchApiException(ApiFailureKind.Network, $"The API could not be reached: {ex.Message}", innerException: ex);
        }
        catch (IOException ex)
        {
            throw new BatchApiException(ApiFailureKind.Network, $"The connection to the API broke: {ex.Message}", innerException: ex);
        }

        if (response.IsSuccessStatusCode || (response.StatusCode == HttpStatusCode.NotFound && call.NotFoundIsAnswer))
        {
            return response;
        }

        using (response)
        {
            throw await ErrorAsync(request, response, call.Connection, cancellationToken);
        }
    }

    private async Task<BatchApiException> ErrorAsync(HttpRequestMessage request, HttpResponseMessage response, ApiConnection connection,
        CancellationToken cancellationToken)
    {
        string? body = null;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // The status says enough; the body was lost with the connection.
        }

        // An upstream (a proxy, a gateway) may echo the key in its error text; it goes no further than here.
        if (body is not null && connection.ApiKey.Length > 0)
        {
            body = body.Replace(connection.ApiKey, "[API key removed]", StringComparison.Ordinal);
        }

        var error = ApiJson.ReadError(response.StatusCode, body, RequestIdOf(response));
        logger.LogWarning("Connection {Connection}: {Method} {Path} failed: {Summary} (request id {RequestId})",
            connection.Id, request.Method, request.RequestUri?.AbsolutePath, error.Summary, error.RequestId);
        return error;
    }

    internal static string? RequestIdOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-request-id", out var values) ? values.FirstOrDefault() : null;
}
