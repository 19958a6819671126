using System.Text.Json.Nodes;

namespace BatchDashboard.Tests.Shared;

/// <summary>Batch objects written from the spec for these tests (the shared fixtures are read where they are).</summary>
public static class TestBatches
{
    public const long Created = 1_761_592_608; // 2025-10-27T19:16:48Z

    public static string Json(string id, string status = "in_progress", long created = Created, int total = 10, int completed = 3, int failed = 1,
        Action<JsonObject>? change = null)
    {
        var terminal = status is "completed" or "failed" or "expired" or "cancelled";
        var batch = new JsonObject
        {
            ["id"] = id,
            ["object"] = "batch",
            ["endpoint"] = "/v1/chat/completions",
            ["model"] = "gpt-4o-mini-2024-07-18",
            ["errors"] = null,
            ["input_file_id"] = "file-input" + id,
            ["completion_window"] = "24h",
            ["status"] = status,
            ["output_file_id"] = status == "completed" ? "file-output" + id : null,
            ["error_file_id"] = null,
            ["created_at"] = created,
            ["in_progress_at"] = status == "validating" ? null : created + 5,
            ["expires_at"] = created + 86_400,
            ["finalizing_at"] = status == "completed" ? created + 600 : null,
            ["completed_at"] = status == "completed" ? created + 700 : null,
            ["failed_at"] = null,
            ["expired_at"] = null,
            ["cancelling_at"] = null,
            ["cancelled_at"] = null,
            ["request_counts"] = new JsonObject { ["total"] = total, ["completed"] = terminal ? total - failed : completed, ["failed"] = failed },
            ["usage"] = new JsonObject
            {
                ["input_tokens"] = 100, ["output_tokens"] = 40, ["total_tokens"] = 140,
                ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 20 },
                ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 5 },
            },
            ["metadata"] = new JsonObject { ["project"] = "eval", ["run"] = id },
        };
        change?.Invoke(batch);
        return batch.ToJsonString();
    }

    public static string Page(IEnumerable<string> batches, bool hasMore)
    {
        var items = batches.Select(b => JsonNode.Parse(b)!).ToArray();
        var page = new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(items),
            ["first_id"] = items.Length > 0 ? items[0]["id"]?.GetValue<string>() : null,
            ["last_id"] = items.Length > 0 ? items[^1]["id"]?.GetValue<string>() : null,
            ["has_more"] = hasMore,
        };
        return page.ToJsonString();
    }
}
