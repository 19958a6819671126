namespace BatchDashboard.Emulator.Simulation;

/// <summary>What happens to one request of a batch once it is processed.</summary>
internal enum RequestOutcome : byte
{
    Succeeded,

    /// <summary>The endpoint answered 400 (<c>response.status_code</c> 400, the API's error body).</summary>
    BadRequest,

    /// <summary>The endpoint answered 500.</summary>
    ServerError,

    /// <summary>No HTTP answer: <c>response: null</c>, <c>error.code: request_timeout</c>.</summary>
    Timeout,
}

/// <summary>One line of a batch's input, as far as the simulation needs it: its id, token counts and fate.</summary>
internal readonly record struct EmulatedRequest(
    string CustomId,
    int InputTokens,
    int CachedTokens,
    int OutputTokens,
    int ReasoningTokens,
    RequestOutcome Outcome);

/// <summary>How fast one batch moves; the options' values, scaled by speed, unless the seeder chose others.</summary>
internal sealed record BatchPlan(
    TimeSpan ValidationTime,
    double RequestsPerSecond,
    TimeSpan FinalizingTime,
    TimeSpan CancellingTime,
    TimeSpan ExpiringTime,
    double FailureRate)
{
    public static BatchPlan From(EmulatorOptions options) => new(
        options.Scaled(options.ValidationTime),
        options.ScaledRate(options.RequestsPerSecond),
        options.Scaled(options.FinalizingTime),
        options.Scaled(options.CancellingTime),
        options.Scaled(options.ExpiringTime),
        options.FailureRate);
}

/// <summary>One entry of a batch's <c>errors.data</c>.</summary>
internal sealed record ValidationError(string Code, string Message, string? Param, int? Line);
