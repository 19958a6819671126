namespace BatchDashboard.Dashboard.Model;

/// <summary>
/// One choice in the retry dialog: the requests that ended with an error code (or, with no code, those without a
/// result), how many, an example of the error, and whether the choice starts ticked.
/// </summary>
public sealed record RetryOption(string? Code, string Label, int Count, string? Example, bool StartsChosen)
{
    /// <summary>How a code reads in the dialog: the two that mean "never run" in words, any other as the API names it.</summary>
    public static string LabelOf(string code) => code switch
    {
        "batch_expired" => "expired: not run before the window ended",
        "batch_cancelled" => "cancelled: not run",
        _ => code,
    };
}
