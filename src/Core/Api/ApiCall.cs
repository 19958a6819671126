using BatchDashboard.Core.Connections;

namespace BatchDashboard.Core.Api;

/// <summary>
/// What the client tells the handlers around <see cref="IBatchApiRoutes"/> about one request: whose connection it
/// belongs to (address, key, headers) and how it may be treated. Travels in <see cref="HttpRequestMessage.Options"/>
/// under <see cref="Key"/>, put there by Refit's <c>[Property]</c>.
/// </summary>
internal sealed record ApiCall(ApiConnection Connection)
{
    public const string Key = "batch-dashboard.call";

    /// <summary>Safe to repeat (reads, cancel), so retried. Create and upload never are.</summary>
    public bool Retriable { get; init; }

    /// <summary>A 404 means "no such batch or file", an answer the client returns as null, not an error.</summary>
    public bool NotFoundIsAnswer { get; init; }

    /// <summary>The caller reads the body as it arrives (file content), so it must not be buffered.</summary>
    public bool Streamed { get; init; }

    /// <summary>Uploads: sending 200 MB can take longer than any fixed timeout, so only the caller's token bounds it.</summary>
    public bool Unbounded { get; init; }

    /// <summary>A read of something that may not exist: retried, and a 404 is an answer.</summary>
    public static ApiCall Lookup(ApiConnection connection) => new(connection) { Retriable = true, NotFoundIsAnswer = true };

    public static ApiCall Of(HttpRequestMessage request) =>
        request.Options.TryGetValue(new HttpRequestOptionsKey<ApiCall>(Key), out var call)
            ? call
            : throw new InvalidOperationException("A batch API request must say which connection it belongs to.");
}
