using System.ClientModel;
using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenAI;
using OpenAI.Batch;

namespace BatchDashboard.Emulator.Tests;

/// <summary>The emulator as a user runs it: its own process, configured from the command line.</summary>
public sealed partial class StandaloneTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_standalone_emulator_answers_an_SDK_client_with_its_seeded_history()
    {
        using var process = Start("--port", "0", "--seed-batches", "30", "--key", "sk-standalone");
        try
        {
            var baseUrl = await ReadBaseUrlAsync(process);
            var client = new OpenAIClient(new ApiKeyCredential("sk-standalone"), new OpenAIClientOptions { Endpoint = baseUrl }).GetBatchClient();

            var batches = new List<BatchJob>();
            await foreach (var batch in client.GetBatchesAsync(new BatchCollectionOptions { PageSizeLimit = 100 }, Token))
            {
                batches.Add(batch);
            }

            Assert.Equal(30, batches.Count);
            Assert.Equal(batches.OrderByDescending(b => b.CreatedAt).Select(b => b.Id), batches.Select(b => b.Id));
            Assert.True(batches.Select(b => b.Endpoint).Distinct().Count() >= 3);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Token);
        }
    }

    [Fact]
    public async Task Unusable_options_stop_the_emulator_with_every_problem_named()
    {
        using var process = Start("--port", "0", "--failure-rate", "3", "--Emulator:ValidationTime=-00:00:01");
        var errors = await process.StandardError.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Emulator:FailureRate must be between 0 and 1.", errors, StringComparison.Ordinal);
        Assert.Contains("Emulator:ValidationTime must not be negative.", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_named_not_thrown()
    {
        using var process = Start("--port", "0", "--speed", "fast");
        var errors = await process.StandardError.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Emulator:Speed", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", errors, StringComparison.Ordinal);
    }

    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "BatchDashboard.Emulator.Host"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return Process.Start(info) ?? throw new InvalidOperationException("The emulator did not start.");
    }

    private static async Task<Uri> ReadBaseUrlAsync(Process process)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                return new Uri(match.Groups[1].Value);
            }
        }

        throw new InvalidOperationException("The emulator exited before it was listening: " + await process.StandardError.ReadToEndAsync(Token));
    }

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+/v1)")]
    private static partial Regex ListeningLine();
}
