using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Core.Tests.Insights;

/// <summary>The rollups kept write by write equal a recount from the batches, whatever the order of the writes.</summary>
public class InsightRollupTests
{
    private static readonly string[] Connections = ["default", "azure"];
    private static readonly string[] Endpoints = ["/v1/chat/completions", "/v1/embeddings"];
    private static readonly string[] Models = ["gpt-4o-mini-2024-07-18", "text-embedding-3-small", "o3"];
    private static readonly string[] Teams = ["search", "ads", "support"];
    private static readonly string[] Codes = ["rate_limit_exceeded", "invalid_request", "server_error"];
    private static readonly string[] Ends = ["completed", "completed", "completed", "failed", "expired", "cancelled"];

    protected virtual Task<CoreHarness> StartHarnessAsync() => CoreHarness.StartAsync();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Rollups_EqualARecount_AfterRandomInsertsStatusChangesAndIndexing(int seed)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await StartHarnessAsync();
        var rollups = harness.Services.GetRequiredService<InsightRollups>();
        foreach (var connection in Connections)
        {
            await rollups.RecountAsync(connection, ct); // counted from the start: every write keeps them
        }

        var random = new Random(seed);
        var batches = new List<(string Connection, JsonObject Json)>();
        for (var round = 0; round < 40; round++)
        {
            var connection = Connections[random.Next(Connections.Length)];
            var page = new List<Batch>();
            for (var i = random.Next(1, 12); i > 0; i--)
            {
                var mine = batches.Where(b => b.Connection == connection).ToList();
                JsonObject json;
                if (mine.Count == 0 || random.NextDouble() < 0.4)
                {
                    json = NewBatch(random, $"batch_{seed}_{batches.Count}");
                    batches.Add((connection, json));
                }
                else
                {
                    json = mine[random.Next(mine.Count)].Json;
                    Advance(json, random);
                }

                page.Add(BatchReader.Read(json.ToJsonString()).Batch!);
            }

            await harness.Store.UpsertAsync(connection, page, ct);
            if (random.NextDouble() < 0.4 && batches.Where(b => (string)b.Json["status"]! != "in_progress" && (string)b.Json["status"]! != "validating").ToList()
                    is { Count: > 0 } ended)
            {
                var (endedConnection, endedJson) = ended[random.Next(ended.Count)];
                await IndexErrorsAsync(harness, rollups, endedConnection, (string)endedJson["id"]!, random, ct);
            }
        }

        var kept = await ReadRollupsAsync(harness);
        foreach (var connection in Connections)
        {
            await rollups.RecountAsync(connection, ct);
        }

        var recounted = await ReadRollupsAsync(harness);
        Assert.Equal(recounted, kept);
        Assert.Contains("insight_durations", kept, StringComparison.Ordinal);
        Assert.Contains("\ninsight_errors|", kept, StringComparison.Ordinal);
        Assert.Contains("|running|", kept, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoWritersOfOneConnection_RacingOnTheSameBatches_KeepTheRollupsWhole()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await StartHarnessAsync();
        var rollups = harness.Services.GetRequiredService<InsightRollups>();
        await rollups.RecountAsync("default", ct);
        var random = new Random(11);
        var batches = Enumerable.Range(0, 25).Select(i => NewBatch(random, $"race_{i}")).ToList();
        for (var round = 0; round < 12; round++)
        {
            // Two answers for the same batches, each a step on from the last round's: as a sync's poll and a
            // webhook's fetch might bring them at once.
            var first = batches.Select(b => b.DeepClone().AsObject()).ToList();
            var second = batches.Select(b => b.DeepClone().AsObject()).ToList();
            first.ForEach(b => Advance(b, random));
            second.ForEach(b => Advance(b, random));
            await Task.WhenAll(
                harness.Store.UpsertAsync("default", [.. first.Select(b => BatchReader.Read(b.ToJsonString()).Batch!)], ct),
                harness.Store.UpsertAsync("default", [.. second.Select(b => BatchReader.Read(b.ToJsonString()).Batch!)], ct));
            batches = random.NextDouble() < 0.5 ? first : second;
        }

        var kept = await ReadRollupsAsync(harness);
        await rollups.RecountAsync("default", ct);

        Assert.Equal(await ReadRollupsAsync(harness), kept);
    }

    [Fact]
    public async Task Writes_LeaveTheRollupsAlone_UntilTheConnectionIsCounted_ThenTheRecountHasEverything()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await StartHarnessAsync();
        var rollups = harness.Services.GetRequiredService<InsightRollups>();
        var random = new Random(7);
        var page = Enumerable.Range(0, 20).Select(i => BatchReader.Read(NewBatch(random, $"batch_{i}").ToJsonString()).Batch!).ToList();

        await harness.Store.UpsertAsync("default", page, ct);
        Assert.Equal(0, await harness.ScalarAsync("SELECT COUNT(*) FROM insight_days"));

        await rollups.RecountAsync("default", ct);

        Assert.Equal(20, await harness.ScalarAsync("SELECT SUM(batches) FROM insight_days WHERE meta_key = ''"));
        Assert.Equal(page.Count(b => b.Metadata.ContainsKey("team")), await harness.ScalarAsync("SELECT SUM(batches) FROM insight_days WHERE meta_key = 'team'"));
    }

    [Fact]
    public async Task Startup_CountsAConnectionImportedBeforeTheRollupsExisted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await StartHarnessAsync();
        var random = new Random(8);
        var page = Enumerable.Range(0, 5).Select(i => BatchReader.Read(NewBatch(random, $"batch_{i}").ToJsonString()).Batch!).ToList();
        await harness.Store.UpsertAsync("default", page, ct);
        await harness.Store.SaveSyncStateAsync(new SyncStateRecord { ConnectionId = "default", InitialImportComplete = true }, ct);

        await harness.Services.GetRequiredService<IBatchCacheDatabase>().MigrateAsync(ct);

        Assert.Equal(5, await harness.ScalarAsync("SELECT SUM(batches) FROM insight_days WHERE meta_key = ''"));
        Assert.Equal(1, await harness.ScalarAsync("SELECT COUNT(*) FROM insight_states WHERE connection_id = 'default'"));
    }

    /// <summary>A batch as the API would first show it: sometimes already ended (history), mostly still running.</summary>
    internal static JsonObject NewBatch(Random random, string id)
    {
        var created = TestBatches.Created + (random.Next(0, 4) * 86_400L) + random.Next(0, 86_000);
        var metadata = new JsonObject();
        if (random.NextDouble() < 0.8)
        {
            metadata["team"] = Teams[random.Next(Teams.Length)];
        }

        if (random.NextDouble() < 0.3)
        {
            metadata["owner"] = "owner-" + random.Next(0, 2).ToString(CultureInfo.InvariantCulture);
        }

        var total = random.NextDouble() < 0.1 ? 0 : (int)Math.Exp(random.NextDouble() * Math.Log(60_000));
        var json = new JsonObject
        {
            ["id"] = id,
            ["object"] = "batch",
            ["endpoint"] = Endpoints[random.Next(Endpoints.Length)],
            ["model"] = Models[random.Next(Models.Length)],
            ["input_file_id"] = "file-in-" + id,
            ["completion_window"] = "24h",
            ["status"] = "validating",
            ["created_at"] = created,
            ["expires_at"] = created + 86_400,
            ["request_counts"] = new JsonObject { ["total"] = total, ["completed"] = 0, ["failed"] = 0 },
            ["metadata"] = metadata,
        };
        for (var steps = random.Next(0, 4); steps > 0; steps--)
        {
            Advance(json, random);
        }

        return json;
    }

    /// <summary>One step on: more requests done, the next status, or (rarely) a changed model or metadata.</summary>
    internal static void Advance(JsonObject json, Random random)
    {
        var status = (string)json["status"]!;
        var created = (long)json["created_at"]!;
        var counts = json["request_counts"]!.AsObject();
        var total = (int)counts["total"]!;
        var at = created + random.Next(10, 80_000);
        switch (status)
        {
            case "validating":
                json["status"] = random.NextDouble() < 0.1 ? "failed" : "in_progress";
                json[(string)json["status"]! == "failed" ? "failed_at" : "in_progress_at"] = created + random.Next(5, 900);
                break;
            case "in_progress":
                var done = (int)counts["completed"]! + (int)counts["failed"]!;
                if (done < total && random.NextDouble() < 0.5)
                {
                    var more = random.Next(1, total - done + 1);
                    var failed = random.NextDouble() < 0.3 ? random.Next(0, more + 1) : 0;
                    counts["completed"] = (int)counts["completed"]! + more - failed;
                    counts["failed"] = (int)counts["failed"]! + failed;
                }
                else
                {
                    var end = Ends[random.Next(Ends.Length)];
                    json["status"] = end == "completed" ? "finalizing" : end == "cancelled" ? "cancelling" : end;
                    var start = (long)json["in_progress_at"]!;
                    json[end switch { "completed" => "finalizing_at", "cancelled" => "cancelling_at", "failed" => "failed_at", _ => "expired_at" }] = start + random.Next(60, 40_000);
                    Usage(json, random);
                }

                break;
            case "finalizing":
                counts["completed"] = total - (int)counts["failed"]!;
                json["status"] = "completed";
                json["completed_at"] = (long)json["finalizing_at"]! + random.Next(5, 7_200);
                json["output_file_id"] = "file-out-" + (string)json["id"]!;
                Usage(json, random);
                break;
            case "cancelling":
                json["status"] = "cancelled";
                json["cancelled_at"] = (long)json["cancelling_at"]! + random.Next(5, 3_000);
                break;
            default:
                // An ended batch whose provider rewrote a field: rare, and the rollups must follow it.
                if (random.NextDouble() < 0.5)
                {
                    json["model"] = Models[random.Next(Models.Length)];
                }
                else
                {
                    json["metadata"] = new JsonObject { ["team"] = Teams[random.Next(Teams.Length)] };
                }

                _ = at;
                break;
        }
    }

    private static void Usage(JsonObject json, Random random)
    {
        var completed = (int)json["request_counts"]!["completed"]!;
        json["usage"] = new JsonObject
        {
            ["input_tokens"] = completed * (long)random.Next(50, 400),
            ["output_tokens"] = completed * (long)random.Next(5, 200),
            ["total_tokens"] = 0,
            ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = completed * (long)random.Next(0, 40) },
        };
    }

    /// <summary>
    /// What the results index writes for a batch's error file (its requests and the file's state), then what it
    /// does at the end: tell the rollups. A batch indexed again gets other codes in place of the first.
    /// </summary>
    private static async Task IndexErrorsAsync(CoreHarness harness, InsightRollups rollups, string connection, string batchId, Random random, CancellationToken ct)
    {
        var key = await harness.ScalarAsync($"SELECT key FROM batches WHERE connection_id = '{connection}' AND id = '{batchId}'");
        var sql = new StringBuilder();
        sql.Append(CultureInfo.InvariantCulture, $"DELETE FROM result_requests WHERE batch_key = {key}; DELETE FROM result_files WHERE batch_key = {key};");
        sql.Append(CultureInfo.InvariantCulture, $"""
            INSERT INTO result_files (batch_key, kind, file_id, state, bytes_read, lines, malformed_lines, expired_upstream)
            VALUES ({key}, 'error', 'file-err', '{(random.NextDouble() < 0.15 ? "indexing" : "indexed")}', 0, 0, 0, {(harness.OnPostgres ? "FALSE" : "0")});
            """);
        for (var line = random.Next(0, 25); line > 0; line--)
        {
            var outcome = random.Next(1, 6);
            var code = outcome == 2 && random.NextDouble() < 0.3 ? "NULL" : $"'{Codes[random.Next(Codes.Length)]}'";
            sql.Append(CultureInfo.InvariantCulture, $"""
                INSERT INTO result_requests (batch_key, custom_id, position, outcome, error_code, input_tokens, cached_tokens, output_tokens, reasoning_tokens)
                VALUES ({key}, 'req-{line}', {line}, {outcome}, {code}, 0, 0, 0, 0);
                """);
        }

        await using (var context = await harness.Services.GetRequiredService<IDbContextFactory<BatchCacheDbContext>>().CreateDbContextAsync(ct))
        {
            await context.Database.ExecuteSqlRawAsync(sql.ToString(), ct);
        }

        await rollups.RecordErrorsAsync(key, ct);
    }

    /// <summary>Every rollup row, one line each in key order.</summary>
    internal static async Task<string> ReadRollupsAsync(CoreHarness harness)
    {
        var text = new StringBuilder();
        await using var context = await harness.Services.GetRequiredService<IDbContextFactory<BatchCacheDbContext>>().CreateDbContextAsync();
        await context.Database.OpenConnectionAsync();
        foreach (var (table, order) in new[]
        {
            ("insight_days", "meta_key, meta_value, day, connection_id, endpoint, model, status"),
            ("insight_durations", "meta_key, meta_value, day, connection_id, endpoint, model, size_bucket"),
            ("insight_errors", "meta_key, meta_value, day, connection_id, endpoint, model, code"),
            ("insight_error_batches", "batch_key, code"),
        })
        {
            await using var command = context.Database.GetDbConnection().CreateCommand();
            command.CommandText = $"SELECT * FROM {table} ORDER BY {order}";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                text.Append('\n').Append(table);
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append('|').Append(Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture));
                }
            }
        }

        return text.ToString();
    }
}

[Collection(PostgresCollection.Name)]
public sealed class InsightRollupOnPostgresTests(PostgresServer postgres) : InsightRollupTests
{
    protected override Task<CoreHarness> StartHarnessAsync() => CoreHarness.StartAsync(postgres);
}
