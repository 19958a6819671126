using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Sync;

/// <summary>The <c>BatchDashboard:Sync</c> section: how often the cache is refreshed.</summary>
public sealed class SyncOptions
{
    public const string SectionName = "BatchDashboard:Sync";

    /// <summary>How often a connection is polled while any of its batches is still running.</summary>
    public TimeSpan ActivePollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a connection is polled while batches run, once its webhooks arrive (a verified delivery within the last
    /// day): the webhooks bring each batch's end at once, and the poll brings progress and reconciles anything a webhook
    /// missed. Never more often than <see cref="ActivePollInterval"/>.
    /// </summary>
    public TimeSpan WebhookPollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a connection is polled when none of its batches is running (new batches appear then).</summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Batches per list request, 1 to 100 (the API's maximum).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>How long to wait after a failed cycle before trying again.</summary>
    public TimeSpan ErrorRetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// With a shared PostgreSQL cache, how often an instance that does not sync reads what the syncing one wrote,
    /// to update its open pages.
    /// </summary>
    public TimeSpan FollowerPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the sync lease lasts without renewal: one and a half active intervals. The holder renews it every
    /// half interval and the others try to take it as often, so when the holder dies another instance syncs within
    /// two active intervals.
    /// </summary>
    public TimeSpan LeaseDuration => ActivePollInterval * 1.5;

    /// <summary>How often the lease is renewed by its holder, and tried by the others.</summary>
    public TimeSpan LeaseCheckInterval => ActivePollInterval / 2;
}

/// <summary>Stops start-up on bad sync settings, listing every problem at once, each with its configuration key.</summary>
public sealed class SyncOptionsValidator : IValidateOptions<SyncOptions>
{
    public ValidateOptionsResult Validate(string? name, SyncOptions options)
    {
        var problems = new List<string>();
        if (options.ActivePollInterval <= TimeSpan.Zero)
        {
            problems.Add($"{SyncOptions.SectionName}:ActivePollInterval must be positive (e.g. 00:00:10).");
        }

        if (options.WebhookPollInterval <= TimeSpan.Zero)
        {
            problems.Add($"{SyncOptions.SectionName}:WebhookPollInterval must be positive (e.g. 00:01:00).");
        }

        if (options.IdlePollInterval <= TimeSpan.Zero)
        {
            problems.Add($"{SyncOptions.SectionName}:IdlePollInterval must be positive (e.g. 00:01:00).");
        }

        if (options.ErrorRetryInterval <= TimeSpan.Zero)
        {
            problems.Add($"{SyncOptions.SectionName}:ErrorRetryInterval must be positive (e.g. 00:00:30).");
        }

        if (options.FollowerPollInterval <= TimeSpan.Zero)
        {
            problems.Add($"{SyncOptions.SectionName}:FollowerPollInterval must be positive (e.g. 00:00:01).");
        }

        if (options.PageSize is < 1 or > 100)
        {
            problems.Add($"{SyncOptions.SectionName}:PageSize must be between 1 and 100.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
