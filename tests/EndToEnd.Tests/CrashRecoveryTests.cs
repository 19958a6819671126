using System.Globalization;
using BatchDashboard.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>
/// The standalone app killed hard (as a crash or an OOM kill) ten times in the middle of its first import: each time
/// the SQLite file opens again, the import resumes where it was, and the end state equals the upstream.
/// Eleven starts of the app take the machine's cores for a while: in the browser tests' collection, so they run
/// one after the other rather than slowing a browser journey past its timeouts.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private const int Batches = 6_000;
    private const int Kills = 10;
    private readonly FakeBatchApi _api = new();
    private readonly TemporaryDatabase _database = new();
    private ApiTestServer _upstream = default!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        for (var i = 0; i < Batches; i++)
        {
            _api.Add(TestBatches.Json($"batch_{i:D5}", (i % 4) switch { 0 => "completed", 1 => "failed", 2 => "expired", _ => "in_progress" },
                created: TestBatches.Created + i, total: 50, completed: i % 50, failed: 0));
        }

        // A slow upstream (60 ms a list page, about 4 s for the whole import) leaves time to kill it part-way.
        _api.Fault = async context =>
        {
            await Task.Delay(60, context.RequestAborted);
            return false;
        };
        _upstream = new ApiTestServer(_api.HandleAsync);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _upstream.DisposeAsync();
        _database.Dispose();
    }

    private Dictionary<string, string> Settings() => new()
    {
        ["OPENAI_API_KEY"] = "sk-crash-test",
        ["OPENAI_BASE_URL"] = _upstream.BaseUrl.ToString(),
        ["ConnectionStrings__BatchCache"] = _database.ConnectionString,
    };

    [Fact]
    public async Task KilledTenTimesDuringTheFirstImport_TheCacheOpens_TheImportResumes_AndEndsEqualToTheUpstream()
    {
        var cached = new List<long>();
        for (var life = 1; life <= Kills; life++)
        {
            using var app = AppProcess.Start($"life {life}", Settings());
            await app.WaitUntilHealthyAsync();
            var before = cached.LastOrDefault();
            // Kill it once this life has stored at least a page more, while the import is still going.
            await WaitForAsync(app, () => CountAsync("SELECT COUNT(*) FROM batches"), n => n >= before + 100, $"life {life} to import a page");
            app.Kill();
            var (count, complete) = (await CountAsync("SELECT COUNT(*) FROM batches"), await CountAsync("SELECT initial_import_complete FROM sync_states"));
            Assert.True(complete == 0, $"The import finished before kill {life}; the test needs a slower upstream.");
            // The file opens, intact, and keeps every batch the earlier lives stored.
            Assert.Equal("ok", await IntegrityAsync());
            Assert.True(count >= before, $"Life {life} left {count} batches, fewer than the {before} before it.");
            cached.Add(count);
        }

        using (var last = AppProcess.Start("the last life", Settings()))
        {
            await last.WaitUntilHealthyAsync();
            await WaitForAsync(last, () => CountAsync("SELECT initial_import_complete FROM sync_states"), done => done == 1, "the import to finish");
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"Batches cached after each kill: {string.Join(", ", cached)}; upstream {Batches}.");
        Assert.Equal("ok", await IntegrityAsync());
        var expected = _api.Snapshot().Select(b => $"{b["id"]} {b["status"]} {b["request_counts"]?["completed"]}").Order(StringComparer.Ordinal);
        Assert.Equal(expected, await RowsAsync("SELECT id, status, request_completed FROM batches"));
        // Each batch once, with its document, and the header counts the triggers keep still exact.
        Assert.Equal(Batches, await CountAsync("SELECT COUNT(*) FROM batch_documents"));
        Assert.Equal(Batches, await CountAsync("SELECT SUM(count) FROM batch_counts"));
        // The first life left the read-only indexes out (an empty cache); a later start built them again.
        Assert.Equal(3, await CountAsync(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('ix_batches_failures', 'ix_batches_endpoint_created', 'ix_batches_model_created')"));
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"{_database.ConnectionString};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = Open();
        await using var command = new SqliteCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Token) ?? 0L, CultureInfo.InvariantCulture);
    }

    private async Task<string> IntegrityAsync()
    {
        await using var connection = Open();
        await using var command = new SqliteCommand("PRAGMA integrity_check", connection);
        return (string)(await command.ExecuteScalarAsync(Token))!;
    }

    private async Task<List<string>> RowsAsync(string sql)
    {
        await using var connection = Open();
        await using var command = new SqliteCommand(sql, connection);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Token);
        while (await reader.ReadAsync(Token))
        {
            rows.Add($"{reader.GetString(0)} {reader.GetString(1)} {reader.GetInt64(2)}");
        }

        return [.. rows.Order(StringComparer.Ordinal)];
    }

    private static async Task WaitForAsync(AppProcess app, Func<Task<long>> read, Func<long, bool> done, string what)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if (done(await read()))
                {
                    return;
                }
            }
            catch (SqliteException)
            {
                // Not created or not migrated yet.
            }

            await Task.Delay(20, Token);
        }

        Assert.Fail($"Timed out waiting for {what}.\n{app.Output}");
    }
}
