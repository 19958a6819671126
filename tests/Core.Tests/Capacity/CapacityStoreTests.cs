using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Capacity;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Core.Tests.Capacity;

/// <summary>The cache's side of capacity (counts per file, lessons kept newest first), on SQLite and PostgreSQL.</summary>
public class CapacityStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    protected virtual Task<CoreHarness> StartHarnessAsync(TimeProvider time) => CoreHarness.StartAsync(time: time);

    private static Batch Read(string json) => BatchReader.Read(json).Batch!;

    private static string Failed(string id, long at, long limit) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $$$"""
        {"id":"{{{id}}}","status":"failed","created_at":{{{at - 60}}},"failed_at":{{{at}}},"model":"gpt-4o","input_file_id":"file-{{{id}}}",
         "errors":{"data":[{"code":"token_limit_exceeded","message":"Enqueued token limit reached for gpt-4o in organization org-x. Limit: {{{limit:N0}}} enqueued tokens. Please try again once some in_progress batches have been completed."}]}}
        """);

    [Fact]
    public async Task RunningBatches_HoldTheirUnrunShare_OfTheirFilesCount_AgainstTheNewestLesson_WhateverOrderTheyArrived()
    {
        var clock = new ManualClock(Now);
        await using var harness = await StartHarnessAsync(clock);
        harness.Services.GetRequiredService<ConnectionCatalog>().Add(TestClients.Connection(new Uri("https://api.openai.com/v1")));
        var newer = Now.AddHours(-1).ToUnixTimeSeconds();
        var older = Now.AddHours(-5).ToUnixTimeSeconds();
        // The newer lesson arrives first: the older one must not replace it.
        await harness.Store.UpsertAsync("test", [Read(Failed("batch_new", newer, 1_350_000))], Token);
        await harness.Store.UpsertAsync("test", [Read(Failed("batch_old", older, 90_000))], Token);
        var started = Now.AddMinutes(-30).ToUnixTimeSeconds();
        await harness.Store.UpsertAsync("test", [Read($$$"""
            {"id":"batch_run","status":"in_progress","created_at":{{{started - 60}}},"in_progress_at":{{{started}}},"model":"gpt-4o","input_file_id":"file-run",
             "request_counts":{"total":1000,"completed":240,"failed":10}}
            """)], Token);
        await harness.Services.GetRequiredService<IInputTokenCounting>().RecordAsync("test", "file-run", new InputTokenCount(400_000, 1000, "gpt-4o", "o200k_base", false), Token);

        // A failed try at counting the same file, finishing after the count was made, does not undo it.
        await harness.Services.GetRequiredService<CapacityStore>().SaveAsync(
            new BatchDashboard.Core.Cache.InputTokenRecord { ConnectionId = "test", FileId = "file-run", Encoding = "", Error = "The API answered: 500", AttemptedAt = Now.ToUnixTimeSeconds() }, Token);

        var queue = Assert.Single((await harness.Services.GetRequiredService<ICapacityQueries>().GetAsync(Token)).Queues);
        Assert.Equal(("gpt-4o", 300_000L), (queue.Model, queue.QueuedTokens)); // 750 of 1,000 requests still to run
        Assert.Equal((1_350_000L, LimitSource.Learned, "batch_new"), (queue.Limit!.Tokens, queue.Limit.Source, queue.Limit.BatchId));
        var held = Assert.Single(queue.Batches);
        Assert.Equal(Now.AddMinutes(90), held.EstimatedEnd); // 250 done in 30 min: 750 more take 90
    }
}

/// <summary>The same, on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CapacityStoreOnPostgresTests(PostgresServer postgres) : CapacityStoreTests
{
    protected override Task<CoreHarness> StartHarnessAsync(TimeProvider time) => CoreHarness.StartAsync(postgres, time: time);
}
