using System.Globalization;
using System.Text.Json.Nodes;

namespace BatchDashboard.Benchmarks;

/// <summary>A realistic mix of batches: every status, endpoints, models, metadata, over 30 days, newest first.</summary>
internal static class SyntheticBatches
{
    private static readonly string[] Statuses = ["completed", "completed", "completed", "completed", "failed", "expired", "cancelled", "in_progress", "validating", "finalizing"];
    private static readonly string[] Endpoints = ["/v1/chat/completions", "/v1/chat/completions", "/v1/responses", "/v1/embeddings", "/v1/completions", "/v1/moderations"];
    private static readonly string[] Models = ["gpt-4o-mini-2024-07-18", "gpt-4.1-2025-04-14", "text-embedding-3-small", "gpt-5-mini-2025-08-07", "omni-moderation-latest"];
    private static readonly string[] Teams = ["search", "ads", "support", "research", "billing"];

    public static List<string> Create(int count, long newest) => [.. Generate(count, newest)];

    /// <summary>The same batches one at a time, for caches too large to hold as text (a million batches is about 1.5 GB of JSON).</summary>
    public static IEnumerable<string> Generate(int count, long newest)
    {
        var random = new Random(42);
        for (var i = 0; i < count; i++)
        {
            var created = newest - (i * 26L); // about 30 days for 100,000
            var status = Statuses[random.Next(Statuses.Length)];
            // A batch's 24 h window has closed for anything older than a day: only recent batches can still run.
            if (created < newest - 86_400 && status is "in_progress" or "validating" or "finalizing")
            {
                status = "completed";
            }

            var total = random.Next(1, 50_000);
            var failed = status == "failed" ? 0 : random.Next(0, total / 20 + 1);
            var completed = status is "completed" ? total - failed : status is "validating" ? 0 : random.Next(0, total - failed + 1);
            var node = new JsonObject
            {
                ["id"] = "batch_" + ((uint)created).ToString("x8", CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..24],
                ["object"] = "batch",
                ["endpoint"] = Endpoints[random.Next(Endpoints.Length)],
                ["model"] = Models[random.Next(Models.Length)],
                ["errors"] = null,
                ["input_file_id"] = "file-" + Guid.NewGuid().ToString("N")[..22],
                ["completion_window"] = "24h",
                ["status"] = status,
                ["output_file_id"] = status == "completed" ? "file-" + Guid.NewGuid().ToString("N")[..22] : null,
                ["error_file_id"] = failed > 0 ? "file-" + Guid.NewGuid().ToString("N")[..22] : null,
                ["created_at"] = created,
                ["in_progress_at"] = status == "validating" ? null : created + 30,
                ["expires_at"] = created + 86_400,
                ["finalizing_at"] = status is "completed" or "finalizing" ? created + 3_600 : null,
                ["completed_at"] = status == "completed" ? created + 3_700 : null,
                ["failed_at"] = status == "failed" ? created + 20 : null,
                ["expired_at"] = status == "expired" ? created + 87_000 : null,
                ["cancelling_at"] = status == "cancelled" ? created + 600 : null,
                ["cancelled_at"] = status == "cancelled" ? created + 1_200 : null,
                ["request_counts"] = new JsonObject { ["total"] = total, ["completed"] = completed, ["failed"] = failed },
                ["usage"] = new JsonObject
                {
                    ["input_tokens"] = completed * 120L, ["output_tokens"] = completed * 40L, ["total_tokens"] = completed * 160L,
                    ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = completed * 10L },
                    ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
                },
                ["metadata"] = new JsonObject { ["team"] = Teams[random.Next(Teams.Length)], ["run"] = "run-" + (i / 50).ToString(CultureInfo.InvariantCulture) },
            };
            yield return node.ToJsonString();
        }
    }
}
