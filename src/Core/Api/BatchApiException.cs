using System.Net;

namespace BatchDashboard.Core.Api;

/// <summary>What went wrong talking to the API, for pages and logs to say plainly.</summary>
public enum ApiFailureKind
{
    /// <summary>The API answered with an error status (see <see cref="BatchApiException.StatusCode"/>).</summary>
    HttpError,

    /// <summary>The API rejected the key (401) or its permissions (403). Never retried.</summary>
    Unauthorized,

    /// <summary>No answer: connection refused or dropped, DNS, TLS.</summary>
    Network,

    /// <summary>No answer in time.</summary>
    Timeout,

    /// <summary>An answer that is not what the API sends: invalid JSON, an HTML page, the wrong shape.</summary>
    MalformedResponse,
}

/// <summary>
/// The one exception the API client throws. It carries the API's own error type, code, message and param, and the
/// request id to quote to the provider's support. It never carries the API key.
/// </summary>
public sealed class BatchApiException : Exception
{
    public BatchApiException(ApiFailureKind kind, string message, HttpStatusCode? statusCode = null, string? errorType = null,
        string? code = null, string? param = null, string? requestId = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        StatusCode = statusCode;
        ErrorType = errorType;
        Code = code;
        Param = param;
        RequestId = requestId;
    }

    public ApiFailureKind Kind { get; }
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The API's <c>error.type</c>, e.g. <c>invalid_request_error</c>.</summary>
    public string? ErrorType { get; }

    /// <summary>The API's <c>error.code</c>, e.g. <c>invalid_api_key</c>.</summary>
    public string? Code { get; }

    public string? Param { get; }

    /// <summary>The <c>x-request-id</c> response header.</summary>
    public string? RequestId { get; }

    /// <summary>A one-line summary for a person: status, code and the API's message.</summary>
    public string Summary
    {
        get
        {
            var status = StatusCode is { } code ? $"HTTP {(int)code}" : Kind.ToString();
            var detail = Code is null ? "" : $" ({Code})";
            return $"{status}{detail}: {Message}";
        }
    }
}
