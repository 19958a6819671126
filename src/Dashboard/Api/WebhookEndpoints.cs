using BatchDashboard.Core.Webhooks;

namespace BatchDashboard.Dashboard.Api;

/// <summary>
/// <c>POST webhooks/{connection}</c>: where OpenAI or Azure sends a connection's batch events. Anonymous, as a
/// provider's delivery carries no sign-in: the Standard Webhooks signature with the connection's secret is its proof
/// (<see cref="IWebhookInbox"/>). The answer comes at once; the batch is fetched after it.
/// </summary>
internal static class WebhookEndpoints
{
    /// <summary>A batch event is a few hundred bytes; anything near this is not one.</summary>
    public const int MaxBody = 64 * 1024;

    public static void MapWebhooks(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/webhooks/{connection}", ReceiveAsync).AllowAnonymous().DisableAntiforgery();

    private static async Task<IResult> ReceiveAsync(string connection, HttpRequest request, IWebhookInbox inbox, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBody)
        {
            return Results.Text($"A webhook delivery is at most {MaxBody / 1024} KB.", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var body = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (body.Length + read > MaxBody)
            {
                return Results.Text($"A webhook delivery is at most {MaxBody / 1024} KB.", statusCode: StatusCodes.Status413PayloadTooLarge);
            }

            body.Write(buffer, 0, read);
        }

        var headers = request.Headers;
        var receipt = await inbox.ReceiveAsync(connection, headers[WebhookSignature.IdHeader], headers[WebhookSignature.TimestampHeader],
            headers[WebhookSignature.SignatureHeader], body.GetBuffer().AsMemory(0, (int)body.Length), cancellationToken);
        return receipt.Outcome switch
        {
            WebhookOutcome.NotReceiving => Results.Text("This dashboard takes no webhooks for that connection.", statusCode: StatusCodes.Status404NotFound),
            WebhookOutcome.Refused => Results.Text(receipt.Verdict switch
            {
                WebhookVerdict.MissingHeaders => "The delivery lacks its webhook-id, webhook-timestamp or webhook-signature header.",
                WebhookVerdict.Stale => "The delivery's timestamp is more than 5 minutes from now.",
                _ => "The delivery's signature does not match.",
            }, statusCode: StatusCodes.Status400BadRequest),
            WebhookOutcome.Unavailable => Results.Text("The dashboard's cache cannot be reached just now: send it again later.", statusCode: StatusCodes.Status503ServiceUnavailable),
            _ => Results.Ok(),
        };
    }
}
