using System.Text.Json;
using Microsoft.Playwright;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>
/// axe-core (installed from npm by scripts/test.sh into this project's node_modules) run in the page: the rules of
/// WCAG 2.1 A and AA and best practice, contrast included.
/// </summary>
public static class Accessibility
{
    private static readonly string Script = Path.Combine(BatchDashboard.Tests.Shared.RepoPaths.Root, "tests", "EndToEnd.Tests", "node_modules", "axe-core", "axe.min.js");

    /// <summary>The serious and critical violations on the page as it is now, one line each: rule, impact, where.</summary>
    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        if (!File.Exists(Script))
        {
            throw new InvalidOperationException($"axe-core is missing at {Script}. Run ./scripts/test.sh, which installs it (npm ci).");
        }

        // Evaluated through the browser's debugging protocol, which the page's CSP (no inline script) does not
        // govern; a script tag added to the page would be refused by it, as it should be.
        // Colours are judged once they have settled: a button just enabled fades to its colour over a short
        // transition, and axe reading it halfway finds a contrast no one sees for long. Endless animations (a spinner)
        // and those held paused are not waited for, nor anything past two seconds.
        try
        {
            await page.WaitForFunctionAsync(
                "() => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity)",
                null, new() { Timeout = 2_000 });
        }
        catch (TimeoutException)
        {
            // Checked as it is.
        }

        await page.EvaluateAsync(await File.ReadAllTextAsync(Script));
        var json = await page.EvaluateAsync<string>("""
            async () => {
                const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
                return JSON.stringify(result.violations
                    .filter(v => v.impact === "serious" || v.impact === "critical")
                    .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`));
            }
            """);
        return JsonSerializer.Deserialize<string[]>(json) ?? [];
    }
}
