using Microsoft.Playwright;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>
/// One headless Chromium (Debian's, never a downloaded build) shared by the browser tests, and the folder where
/// they save screenshots for a person to look at.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

    /// <summary>Where screenshots go: <c>BD_ARTIFACTS</c> when set (CI), else <c>artifacts/</c> at the repo root.</summary>
    public static string ArtifactsFolder { get; } = Directory.CreateDirectory(Path.Combine(
        Environment.GetEnvironmentVariable("BD_ARTIFACTS") is { Length: > 0 } configured ? configured : Path.Combine(BatchDashboard.Tests.Shared.RepoPaths.Root, "artifacts"),
        "screenshots")).FullName;

    public async ValueTask InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("BD_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Chromium was not found at {executable}. Run ./scripts/test.sh, which installs it (apt-get install chromium).");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = executable,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
