using System.Net.Http.Headers;
using System.Text.Json;

namespace BatchDashboard.Tests.Shared;

/// <summary>Every batch an OpenAI-style upstream lists, read page by page as a plain client would (no retries, no faults expected).</summary>
public static class UpstreamListing
{
    public static async Task<List<JsonElement>> ReadAllAsync(Uri baseUrl, string apiKey, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var batches = new List<JsonElement>();
        string? after = null;
        do
        {
            using var page = JsonDocument.Parse(await http.GetStringAsync($"{baseUrl}/batches?limit=100{(after is null ? "" : "&after=" + after)}", cancellationToken));
            batches.AddRange(page.RootElement.GetProperty("data").EnumerateArray().Select(batch => batch.Clone()));
            after = page.RootElement.GetProperty("has_more").GetBoolean() ? page.RootElement.GetProperty("last_id").GetString() : null;
        }
        while (after is not null);

        return batches;
    }
}
