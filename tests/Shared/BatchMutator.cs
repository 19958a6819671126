using System.Text.Json.Nodes;

namespace BatchDashboard.Tests.Shared;

/// <summary>
/// Batch objects and list pages damaged the ways providers and proxies damage them: fields removed, null, of another
/// type, out of range or renamed; ids missing; text cut short. Seeded, so a failure can be replayed.
/// </summary>
public static class BatchMutator
{
    private static readonly string[] Texts =
    [
        "", " ", "0", "-1", "1761592608", "1761592608000", "2026-11-02T09:30:00Z", "2026-11-02 09:30", "yesterday", "NaN", "null",
        "in_progress", "IN_PROGRESS", "Completed", "🚀 ünïcødé ✓", new string('x', 10_000), "{\"not\":\"parsed\"}", "<html>502</html>",
    ];

    /// <summary>The seeds: a batch of every status as the spec writes it.</summary>
    public static IReadOnlyList<string> Seeds { get; } =
    [
        .. new[] { "validating", "in_progress", "finalizing", "completed", "failed", "expired", "cancelling", "cancelled" }
            .Select((status, i) => TestBatches.Json($"batch_seed_{i}", status, created: TestBatches.Created + i)),
    ];

    /// <param name="text">Also damage the text itself (cut short, garbled), which no page of a working API holds.</param>
    public static string Mutate(string json, Random random, bool text = true)
    {
        if (text && random.NextDouble() < 0.05)
        {
            // Cut short or garbled on the way.
            var cut = random.Next(1, json.Length);
            return random.NextDouble() < 0.5 ? json[..cut] : json.Insert(cut, "\u0001}\"");
        }

        var root = JsonNode.Parse(json)!.AsObject();
        var operations = random.Next(1, 6);
        for (var i = 0; i < operations; i++)
        {
            var (parent, key) = Target(root, random);
            Change(parent, key, random);
        }

        if (random.NextDouble() < 0.08)
        {
            Change(root, "id", random);
        }

        return root.ToJsonString();
    }

    /// <summary>A list page of these batches, its envelope damaged now and then.</summary>
    public static string Page(IReadOnlyList<string> items, bool hasMore, string? lastId, Random random)
    {
        var data = string.Join(',', items);
        var more = hasMore ? "true" : "false";
        var last = lastId is null ? "null" : $"\"{lastId}\"";
        return random.Next(10) switch
        {
            0 => $"{{\"object\":\"list\",\"data\":[{data}],\"has_more\":\"{more}\",\"last_id\":{last}}}",
            1 => $"{{\"object\":\"list\",\"data\":[{data}],\"has_more\":{more},\"first_id\":42,\"last_id\":{last}}}",
            2 => $"{{\"object\":\"list\",\"data\":[{data}{(items.Count > 0 ? "," : "")}null,7,\"x\",[]],\"has_more\":{more},\"last_id\":{last}}}",
            _ => $"{{\"object\":\"list\",\"data\":[{data}],\"has_more\":{more},\"last_id\":{last}}}",
        };
    }

    private static (JsonObject Parent, string Key) Target(JsonObject root, Random random)
    {
        // Sometimes a member of a nested object (counts, usage and its details, metadata, the errors list).
        var nested = root.Where(p => p.Value is JsonObject).Select(p => p.Value!.AsObject()).ToList();
        var parent = nested.Count > 0 && random.NextDouble() < 0.35 ? nested[random.Next(nested.Count)] : root;
        var keys = parent.Select(p => p.Key).ToList();
        return keys.Count == 0 || random.NextDouble() < 0.05 ? (parent, "extra_" + random.Next(100)) : (parent, keys[random.Next(keys.Count)]);
    }

    private static void Change(JsonObject parent, string key, Random random)
    {
        switch (random.Next(11))
        {
            case 0:
                parent.Remove(key);
                break;
            case 1:
                parent[key] = null;
                break;
            case 2:
                parent[key] = Texts[random.Next(Texts.Length)];
                break;
            case 3:
                parent[key] = new[] { 0L, -1L, long.MaxValue, long.MinValue, int.MaxValue + 1L, 1_761_592_608_000L }[random.Next(6)];
                break;
            case 4:
                parent[key] = new[] { 1e308, -0.0, 3.14, 1e-10, 1761592608.5 }[random.Next(5)];
                break;
            case 5:
                parent[key] = random.NextDouble() < 0.5;
                break;
            case 6:
                parent[key] = new JsonObject { ["data"] = new JsonArray(1, "x", null), [key] = new JsonObject() };
                break;
            case 7:
                parent[key] = new JsonArray(1, "two", null, new JsonObject());
                break;
            case 8:
                // Deep nesting, still within what a JSON reader accepts.
                JsonNode deep = 1;
                for (var depth = 0; depth < 40; depth++)
                {
                    deep = new JsonArray(deep);
                }

                parent[key] = deep;
                break;
            case 9:
                if (parent[key] is { } value)
                {
                    parent.Remove(key);
                    parent[key.ToUpperInvariant()] = value;
                }

                break;
            default:
                parent[key] = new JsonObject { ["object"] = "list", ["data"] = new JsonArray(new JsonObject { ["code"] = 5, ["line"] = "two" }) };
                break;
        }
    }
}
