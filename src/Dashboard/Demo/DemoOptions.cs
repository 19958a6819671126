namespace BatchDashboard.Dashboard.Demo;

/// <summary>The <c>BatchDashboard:Demo</c> section: what the dashboard shows when no connection is configured.</summary>
public sealed class DemoOptions
{
    public const string SectionName = "BatchDashboard:Demo";

    /// <summary>Off: with no connection, the dashboard shows how to configure one instead of a demo.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many batches of history the emulator starts with (at least 200 make a realistic month).</summary>
    public int Batches { get; set; } = 240;

    /// <summary>
    /// True when the demo runs: enabled, and no connection configured (neither <c>OPENAI_API_KEY</c> nor
    /// <c>BatchDashboard:Connections</c>). Configuring a key turns it off.
    /// </summary>
    public static bool IsActive(IConfiguration configuration)
    {
        var enabled = configuration.GetValue(SectionName + ":Enabled", true);
        var configured = !string.IsNullOrWhiteSpace(configuration["OPENAI_API_KEY"])
            || configuration.GetSection(BatchDashboard.Core.Connections.ConnectionListOptions.SectionName).GetChildren().Any();
        return enabled && !configured;
    }
}
