using System.Text;
using System.Text.Json;

namespace BatchDashboard.Dashboard.Model;

/// <summary>JSON as a person reads it.</summary>
public static class JsonText
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Indented, with non-ASCII text as it is; text that is not JSON comes back unchanged.</summary>
    public static string Pretty(string raw)
    {
        try
        {
            using var document = JsonDocument.Parse(raw);
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, Indented))
            {
                document.WriteTo(writer);
            }

            return Encoding.UTF8.GetString(stream.ToArray());
        }
        catch (JsonException)
        {
            return raw;
        }
    }
}
