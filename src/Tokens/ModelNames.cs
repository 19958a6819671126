using System.Text.RegularExpressions;

namespace BatchDashboard.Tokens;

/// <summary>How a model's name in a limit (or a table) is matched to the name a request or batch gives.</summary>
public static partial class ModelNames
{
    /// <summary>
    /// The model a dated version belongs to, whose queue it shares: <c>gpt-4o-mini-2024-07-18</c> and
    /// <c>gpt-4-0613</c> are <c>gpt-4o-mini</c> and <c>gpt-4</c>; any other name is its own.
    /// </summary>
    public static string Base(string model) => DateSuffix().Replace(model, "");

    /// <summary>
    /// A model's own name, or a dated version of it (<c>gpt-4o-2024-08-06</c> is <c>gpt-4o</c>); never another model
    /// whose name runs on (<c>gpt-4o-mini</c> is not <c>gpt-4o</c>: it has a limit of its own). Case is ignored.
    /// </summary>
    public static bool Covers(string name, string model) =>
        name.Length > 0
        && model.StartsWith(name, StringComparison.OrdinalIgnoreCase)
        && (model.Length == name.Length || (model.Length > name.Length + 1 && model[name.Length] == '-' && char.IsAsciiDigit(model[name.Length + 1])));

    [GeneratedRegex(@"-(\d{4}-\d{2}-\d{2}|\d{4})$", RegexOptions.CultureInvariant)]
    private static partial Regex DateSuffix();
}
