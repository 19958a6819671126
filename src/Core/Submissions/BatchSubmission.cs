namespace BatchDashboard.Core.Submissions;

/// <summary>What a new batch asks of the API besides its file.</summary>
/// <param name="OutputExpiresAfter">How long its output and error files live (1 hour to 30 days), or the API's 30 days.</param>
/// <param name="PromptTokens">The file's prompt tokens when already counted (the new-batch page counts them): kept for the
/// uploaded file, so the capacity view need not fetch the file back to count it.</param>
public sealed record BatchSubmission(string Endpoint, IReadOnlyDictionary<string, string>? Metadata = null, TimeSpan? OutputExpiresAfter = null,
    string CompletionWindow = "24h", Capacity.InputTokenCount? PromptTokens = null)
{
    public const int MaxMetadataPairs = 16;
    public const int MaxKeyLength = 64;
    public const int MaxValueLength = 512;

    /// <summary>Every reason the API would refuse these settings, with the parameter it names.</summary>
    public IReadOnlyList<InputProblem> Validate()
    {
        var problems = new List<InputProblem>();
        if (!BatchInputValidator.Endpoints.Contains(Endpoint))
        {
            problems.Add(new(null, "invalid_value", $"Invalid endpoint '{Endpoint}'.", "endpoint"));
        }

        if (CompletionWindow != "24h")
        {
            problems.Add(new(null, "invalid_value", "The only completion window is 24h.", "completion_window"));
        }

        if (Metadata is { } metadata)
        {
            if (metadata.Count > MaxMetadataPairs)
            {
                problems.Add(new(null, "invalid_value", $"Metadata has {metadata.Count} pairs; at most {MaxMetadataPairs} are allowed.", "metadata"));
            }

            foreach (var (key, value) in metadata)
            {
                if (key.Length is 0 or > MaxKeyLength)
                {
                    problems.Add(new(null, "invalid_value", $"Metadata key '{Shorten(key)}' must be 1 to {MaxKeyLength} characters.", "metadata"));
                }

                if (value.Length > MaxValueLength)
                {
                    problems.Add(new(null, "invalid_value", $"The value of metadata key '{Shorten(key)}' is {value.Length} characters; at most {MaxValueLength} are allowed.", "metadata"));
                }
            }
        }

        if (OutputExpiresAfter is { } expiry && (expiry < TimeSpan.FromHours(1) || expiry > TimeSpan.FromDays(30)))
        {
            problems.Add(new(null, "invalid_value", "Output files may expire 1 hour to 30 days after they are written.", "output_expires_after"));
        }

        return problems;
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
