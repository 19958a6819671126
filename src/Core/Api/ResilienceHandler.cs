using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using BatchDashboard.Core.Telemetry;

namespace BatchDashboard.Core.Api;

/// <summary>
/// Timeouts for every call; jittered exponential retries, honouring the server's <c>retry-after</c>, only for
/// requests marked <see cref="ApiCall.Retriable"/>. Response bodies of reads are buffered inside the attempt,
/// so a connection dropped mid-body is retried too. Requests that are not retried (create) get the overall timeout;
/// uploads (<see cref="ApiCall.Unbounded"/>) only the caller's cancellation.
/// </summary>
internal sealed class ResilienceHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _retrying;
    private readonly ResiliencePipeline<HttpResponseMessage> _once;

    public ResilienceHandler(IOptions<ApiResilienceOptions> options, TimeProvider timeProvider, ILogger<ResilienceHandler> logger)
    {
        var settings = options.Value;
        _once = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddTimeout(settings.TotalTimeout)
            .Build();

        var retrying = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddTimeout(settings.TotalTimeout);
        if (settings.MaxRetries > 0)
        {
            retrying.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.BaseDelay,
                MaxDelay = settings.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Result: { } response } => RetryRules.ShouldRetry(response),
                    { Exception: HttpRequestException or IOException or TimeoutRejectedException } => true,
                    _ => false,
                }),
                DelayGenerator = args => ValueTask.FromResult(
                    RetryRules.RequestedDelay(args.Outcome.Result, timeProvider.GetUtcNow(), settings.MaxRetryAfter)),
                OnRetry = args =>
                {
                    if (args.Context.Properties.TryGetValue(RouteKey, out var route))
                    {
                        CoreTelemetry.ApiRetries.Add(1, new KeyValuePair<string, object?>("route", route));
                    }

                    var reason = args.Outcome.Result is { } failed ? $"HTTP {(int)failed.StatusCode}" : args.Outcome.Exception?.GetType().Name;
                    logger.LogInformation("Retrying a batch API call after {Reason} (attempt {Attempt}, waiting {Delay})",
                        reason, args.AttemptNumber + 1, args.RetryDelay);
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            });
        }

        _retrying = retrying.AddTimeout(settings.AttemptTimeout).Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = ApiCall.Of(request);
        var pipeline = call.Retriable ? _retrying : call.Unbounded ? ResiliencePipeline<HttpResponseMessage>.Empty : _once;
        var route = CoreTelemetry.RouteOf(request, call.Connection.BaseUrl);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RouteKey, route);
        try
        {
            return await pipeline.ExecuteAsync(async (context, _) => await AttemptAsync(request, call, route, context.CancellationToken), context, 0);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static readonly ResiliencePropertyKey<string> RouteKey = new("batch-dashboard.route");

    /// <summary>One attempt, counted by route and status class.</summary>
    private async Task<HttpResponseMessage> AttemptAsync(HttpRequestMessage request, ApiCall call, string route, CancellationToken token)
    {
        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(request, token);
            if (!call.Streamed)
            {
                try
                {
                    await response.Content.LoadIntoBufferAsync(token);
                }
                catch
                {
                    response.Dispose();
                    throw;
                }
            }

            return response;
        }
        finally
        {
            CoreTelemetry.ApiCalls.Add(1, new KeyValuePair<string, object?>("route", route),
                new KeyValuePair<string, object?>("status_class", CoreTelemetry.StatusClass(response)));
        }
    }
}
