using BatchDashboard.Core.Results;
using BatchDashboard.Tokens;

namespace BatchDashboard.Core.Capacity;

/// <summary>The prompt tokens of an input file.</summary>
/// <param name="Model">The model its lines name (the first one; a valid file names one only).</param>
/// <param name="Encoding">The tokenizer used: <c>o200k_base</c> or <c>cl100k_base</c>.</param>
/// <param name="IsEstimate">The model's tokenizer is not known: counted with o200k.</param>
public sealed record InputTokenCount(long Tokens, int Requests, string? Model, string Encoding, bool IsEstimate)
{
    /// <summary>
    /// Counts a file's prompt tokens as it streams by, one line at a time (<see cref="PromptTokenCounter"/>): memory
    /// stays flat whatever its size.
    /// </summary>
    public static async Task<InputTokenCount> CountAsync(Stream input, CancellationToken cancellationToken)
    {
        using var counter = new PromptTokenCounter();
        using var reader = new JsonLineReader(input);
        long tokens = 0;
        var requests = 0;
        while (await reader.ReadAsync(cancellationToken) is { } line)
        {
            requests++;
            if (!line.TooLong)
            {
                tokens += counter.CountRequest(line.Bytes.Span);
            }
        }

        var encoding = counter.Encoding ?? PromptEncoding.For(null);
        return new InputTokenCount(tokens, requests, counter.Model, encoding.Name, encoding.IsEstimate);
    }
}
