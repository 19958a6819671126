using System.Text.Json;

namespace BatchDashboard.Emulator.Tests;

/// <summary>The Batch object as the OpenAPI spec defines it (reference §1.1), checked field by field.</summary>
public static class BatchShape
{
    public static readonly string[] Fields =
    [
        "id", "object", "endpoint", "model", "errors", "input_file_id", "completion_window", "status", "output_file_id",
        "error_file_id", "created_at", "in_progress_at", "expires_at", "finalizing_at", "completed_at", "failed_at",
        "expired_at", "cancelling_at", "cancelled_at", "request_counts", "usage", "metadata",
    ];

    private static readonly string[] Statuses = ["validating", "failed", "in_progress", "finalizing", "completed", "expired", "cancelling", "cancelled"];

    public static void AssertMatchesSpec(JsonElement batch)
    {
        Assert.Equal(Fields, batch.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.StartsWith("batch_", batch.GetProperty("id").GetString());
        Assert.Equal("batch", batch.GetProperty("object").GetString());
        Assert.StartsWith("/v1/", batch.GetProperty("endpoint").GetString());
        AssertStringOrNull(batch, "model");
        Assert.StartsWith("file-", batch.GetProperty("input_file_id").GetString());
        Assert.Equal("24h", batch.GetProperty("completion_window").GetString());
        Assert.Contains(batch.GetProperty("status").GetString(), Statuses);
        AssertStringOrNull(batch, "output_file_id");
        AssertStringOrNull(batch, "error_file_id");
        Assert.True(batch.GetProperty("created_at").TryGetInt64(out _));
        foreach (var field in Fields.Where(f => f.EndsWith("_at", StringComparison.Ordinal) && f != "created_at"))
        {
            var value = batch.GetProperty(field);
            Assert.True(value.ValueKind == JsonValueKind.Null || value.TryGetInt64(out _), $"{field} is {value.ValueKind}");
        }

        var counts = batch.GetProperty("request_counts");
        Assert.Equal(["total", "completed", "failed"], counts.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.All(counts.EnumerateObject(), p => Assert.True(p.Value.GetInt32() >= 0));

        var usage = batch.GetProperty("usage");
        Assert.True(usage.GetProperty("input_tokens").GetInt64() >= 0);
        Assert.True(usage.GetProperty("output_tokens").GetInt64() >= 0);
        Assert.Equal(usage.GetProperty("input_tokens").GetInt64() + usage.GetProperty("output_tokens").GetInt64(), usage.GetProperty("total_tokens").GetInt64());
        Assert.True(usage.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt64() >= 0);
        Assert.True(usage.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt64() >= 0);

        var errors = batch.GetProperty("errors");
        if (errors.ValueKind != JsonValueKind.Null)
        {
            Assert.Equal("list", errors.GetProperty("object").GetString());
            Assert.All(errors.GetProperty("data").EnumerateArray(), error =>
            {
                Assert.Equal(["code", "message", "param", "line"], error.EnumerateObject().Select(p => p.Name).ToArray());
                Assert.Equal(JsonValueKind.String, error.GetProperty("code").ValueKind);
                Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
                AssertStringOrNull(error, "param");
                Assert.True(error.GetProperty("line").ValueKind is JsonValueKind.Null or JsonValueKind.Number);
            });
        }

        var metadata = batch.GetProperty("metadata");
        if (metadata.ValueKind != JsonValueKind.Null)
        {
            Assert.All(metadata.EnumerateObject(), p => Assert.Equal(JsonValueKind.String, p.Value.ValueKind));
        }
    }

    public static long? Time(JsonElement batch, string field) =>
        batch.GetProperty(field).ValueKind == JsonValueKind.Null ? null : batch.GetProperty(field).GetInt64();

    public static (int Total, int Completed, int Failed) Counts(JsonElement batch)
    {
        var counts = batch.GetProperty("request_counts");
        return (counts.GetProperty("total").GetInt32(), counts.GetProperty("completed").GetInt32(), counts.GetProperty("failed").GetInt32());
    }

    public static string Status(JsonElement batch) => batch.GetProperty("status").GetString()!;

    public static string? Text(JsonElement element, string field) =>
        element.GetProperty(field).ValueKind == JsonValueKind.Null ? null : element.GetProperty(field).GetString();

    private static void AssertStringOrNull(JsonElement element, string field) =>
        Assert.True(element.GetProperty(field).ValueKind is JsonValueKind.String or JsonValueKind.Null, $"{field} is {element.GetProperty(field).ValueKind}");
}
