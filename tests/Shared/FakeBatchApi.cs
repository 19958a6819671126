using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace BatchDashboard.Tests.Shared;

/// <summary>
/// An upstream that speaks enough of the Batch API for sync tests: list (newest first, after/limit), retrieve and
/// cancel, over batches the test adds and changes. It counts every call, and can fail the calls a test chooses.
/// </summary>
public sealed class FakeBatchApi
{
    private readonly Lock _gate = new();
    private readonly List<JsonObject> _batches = [];

    /// <summary>Return true to have answered the request yourself (a fault), false to let the API answer.</summary>
    public Func<HttpContext, Task<bool>>? Fault { get; set; }

    public int Calls { get; private set; }

    public List<string> CallLog { get; } = [];

    public void Add(string json)
    {
        lock (_gate)
        {
            _batches.Add(JsonNode.Parse(json)!.AsObject());
            _batches.Sort((a, b) =>
            {
                var byCreated = b["created_at"]!.GetValue<long>().CompareTo(a["created_at"]!.GetValue<long>());
                return byCreated != 0 ? byCreated : string.CompareOrdinal(IdOf(b), IdOf(a));
            });
        }
    }

    public void Update(string id, Action<JsonObject> change)
    {
        lock (_gate)
        {
            change(_batches.Single(b => IdOf(b) == id));
        }
    }

    /// <summary>A copy of every batch as the API has it now, newest first.</summary>
    public List<JsonObject> Snapshot()
    {
        lock (_gate)
        {
            return [.. _batches.Select(b => b.DeepClone().AsObject())];
        }
    }

    private static string IdOf(JsonObject batch) => batch["id"]?.GetValue<string>() ?? "";

    public void ResetCalls()
    {
        lock (_gate)
        {
            Calls = 0;
            CallLog.Clear();
        }
    }

    public async Task HandleAsync(HttpContext context)
    {
        lock (_gate)
        {
            Calls++;
            CallLog.Add($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
        }

        if (Fault is { } fault && await fault(context))
        {
            return;
        }

        var path = context.Request.Path.Value!;
        string json;
        var status = 200;
        lock (_gate)
        {
            if (context.Request.Method == "GET" && path == "/v1/batches")
            {
                var limit = int.TryParse(context.Request.Query["limit"], out var l) ? l : 20;
                var after = context.Request.Query["after"].ToString();
                var start = string.IsNullOrEmpty(after) ? 0 : _batches.FindIndex(b => IdOf(b) == after) + 1;
                var page = _batches.Skip(start).Take(limit).Select(b => b.ToJsonString()).ToList();
                json = TestBatches.Page(page, hasMore: start + page.Count < _batches.Count);
            }
            else
            {
                var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries); // v1, batches, id, [cancel]
                var batch = parts.Length >= 3 ? _batches.FirstOrDefault(b => IdOf(b) == Uri.UnescapeDataString(parts[2])) : null;
                if (batch is null)
                {
                    (json, status) = ("""{"error":{"message":"No such batch","type":"invalid_request_error","param":null,"code":null}}""", 404);
                }
                else
                {
                    if (parts.Length == 4 && parts[3] == "cancel" && context.Request.Method == "POST")
                    {
                        batch["status"] = "cancelling";
                        batch["cancelling_at"] = batch["created_at"]!.GetValue<long>() + 60;
                    }

                    json = batch.ToJsonString();
                }
            }
        }

        await ApiTestServer.WriteJsonAsync(context, json, status);
    }
}
