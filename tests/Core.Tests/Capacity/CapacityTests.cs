using System.Text;
using BatchDashboard.Core.Api;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Capacity;
using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Emulator;
using BatchDashboard.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace BatchDashboard.Core.Tests.Capacity;

/// <summary>
/// Queued tokens per model over the whole path: the emulator holding batches to a queued-token limit, the sync, the
/// counting of each running batch's input file, the limit a failed batch teaches, and whether a new file fits.
/// </summary>
public sealed class CapacityTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string File(int requests, string model, string words) => string.Join('\n', Enumerable.Range(1, requests).Select(i =>
        $$$"""{"custom_id":"r{{{i}}}","method":"POST","url":"/v1/chat/completions","body":{"model":"{{{model}}}","messages":[{"role":"user","content":"{{{words}}} {{{i}}}"}]}}"""));

    [Fact]
    public async Task ABatchOverTheLimit_FailsAsTheApiWould_TeachesTheLimit_AndTheQueueShowsWhatIsHeld()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var small = File(40, "gpt-4o-mini", "Classify this short support ticket about a late parcel");
        var large = File(400, "gpt-4o-mini", "Classify this short support ticket about a late parcel");
        var smallCount = await InputTokenCount.CountAsync(new MemoryStream(Encoding.UTF8.GetBytes(small)), Token);
        var largeCount = await InputTokenCount.CountAsync(new MemoryStream(Encoding.UTF8.GetBytes(large)), Token);
        var limit = largeCount.Tokens + (smallCount.Tokens / 2); // either fits alone, not both

        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions
        {
            Port = 0, ApiKey = "sk-test-key", QueuedTokenLimits = new() { ["gpt-4o-mini"] = limit }, RequestsPerSecond = 1,
        }, clock, Token);
        await using var harness = await CoreHarness.StartAsync(time: clock);
        var connection = TestClients.Connection(emulator.BaseUrl);
        harness.Services.GetRequiredService<ConnectionCatalog>().Add(connection);
        var client = TestClients.Client(harness.Services, connection);
        var syncer = harness.Syncer(connection: connection);
        var capacity = harness.Services.GetRequiredService<ICapacityQueries>();
        var counting = harness.Services.GetRequiredService<IInputTokenCounting>();

        // No limit known yet: the connection is OpenAI's with no tier set, and no batch has failed on one.
        Assert.Equal(FitVerdict.NoLimitKnown, (await capacity.FitAsync(connection.Id, "gpt-4o-mini", smallCount.Tokens, Token)).Verdict);

        var first = await CreateAsync(client, small);
        await syncer.RunCycleAsync(Token);
        Assert.Equal(1, await counting.CountPendingAsync(Token));
        var queue = Assert.Single((await capacity.GetAsync(Token)).Queues);
        Assert.Equal(("gpt-4o-mini", smallCount.Tokens, smallCount.Tokens), (queue.Model, queue.QueuedTokens, Assert.Single(queue.Batches).Tokens));
        Assert.Equal(0, await counting.CountPendingAsync(Token)); // counted once

        // Sent anyway, the large file fails validation with the API's error, naming the limit...
        var second = await CreateAsync(client, large);
        clock.Advance(TimeSpan.FromSeconds(20));
        var failed = await client.GetBatchAsync(second.Id, Token);
        Assert.Equal(BatchStatusKind.Failed, failed!.Status.Kind);
        var error = Assert.Single(failed.Errors);
        Assert.Equal("token_limit_exceeded", error.Code);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Limit: {limit:N0} enqueued tokens"), error.Message, StringComparison.Ordinal);
        Assert.NotEqual(BatchStatusKind.Failed, (await client.GetBatchAsync(first.Id, Token))!.Status.Kind);

        // ...which the dashboard learns once the sync stores the failure.
        await syncer.RunCycleAsync(Token);
        await counting.CountPendingAsync(Token);
        queue = Assert.Single((await capacity.GetAsync(Token)).Queues);
        Assert.Equal(new QueueLimit(limit, LimitSource.Learned, "gpt-4o-mini", second.Id, LearnedAt: failed.FailedAt), queue.Limit);
        Assert.Equal(first.Id, Assert.Single(queue.Batches).BatchId); // a failed batch holds nothing

        // The first batch has run a while: the queue holds the share of it still to run, and the large file fits
        // once enough of it has, which the fit dates from its pace.
        var held = queue.QueuedTokens;
        Assert.InRange(held, 1, smallCount.Tokens - 1);
        var fit = await capacity.FitAsync(connection.Id, "gpt-4o-mini", largeCount.Tokens, Token);
        Assert.Equal(FitVerdict.FitsLater, fit.Verdict);
        Assert.InRange(fit.FitsAt!.Value, clock.GetUtcNow(), queue.Batches[0].EstimatedEnd!.Value);
        Assert.Equal(FitVerdict.Fits, (await capacity.FitAsync(connection.Id, "gpt-4o-mini", limit - held, Token)).Verdict);
        Assert.Equal(FitVerdict.TooLarge, (await capacity.FitAsync(connection.Id, "gpt-4o-mini", limit + 1, Token)).Verdict);
    }

    [Fact]
    public async Task AFileTheApiNoLongerHas_IsMarkedNotCountable_WithAReason_AndTriedAgainLater()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions { Port = 0, ApiKey = "sk-test-key", RequestsPerSecond = 0.01 }, clock, Token);
        await using var harness = await CoreHarness.StartAsync(time: clock);
        var connection = TestClients.Connection(emulator.BaseUrl);
        harness.Services.GetRequiredService<ConnectionCatalog>().Add(connection);
        var client = TestClients.Client(harness.Services, connection);
        var batch = await CreateAsync(client, File(3, "gpt-4.1", "hello"));
        using (var http = new HttpClient())
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"{emulator.BaseUrl.ToString().TrimEnd('/')}/files/{batch.InputFileId}"))
        {
            delete.Headers.Authorization = new("Bearer", "sk-test-key");
            (await http.SendAsync(delete, Token)).EnsureSuccessStatusCode();
        }

        await harness.Syncer(connection: connection).RunCycleAsync(Token);
        var counting = harness.Services.GetRequiredService<IInputTokenCounting>();

        Assert.Equal(0, await counting.CountPendingAsync(Token));
        var held = Assert.Single(Assert.Single((await harness.Services.GetRequiredService<ICapacityQueries>().GetAsync(Token)).Queues).Batches);
        Assert.Null(held.Tokens);
        Assert.Contains("no longer has this input file", held.CountError, StringComparison.Ordinal);

        clock.Advance(TimeSpan.FromMinutes(11));
        await counting.CountPendingAsync(Token); // tried again after RetryCountAfter, still gone
        Assert.NotNull(Assert.Single(Assert.Single((await harness.Services.GetRequiredService<ICapacityQueries>().GetAsync(Token)).Queues).Batches).CountError);
    }

    [Fact]
    public void Limits_ComeFromConfigurationFirst_ThenTheNewestLesson_ThenTheTiersPublishedFigure()
    {
        var openai = TestClients.Connection(new Uri("https://api.openai.com/v1"));
        var azure = TestClients.Connection(new Uri("https://x.openai.azure.com/openai"), ConnectionKind.Azure, "2024-10-21");
        var lessons = new[]
        {
            new LearnedLimit(openai.Id, "gpt-4o-mini", 1_000_000, "batch_old", DateTimeOffset.UnixEpoch.AddDays(1)),
        };
        var tier2 = new CapacityOptions { Tier = 2 };

        Assert.Equal((20_000_000, LimitSource.Published, 2), Of(QueueLimits.For(openai, "gpt-4o-mini-2024-07-18", tier2, [])));
        Assert.Equal((1_000_000, LimitSource.Learned, null), Of(QueueLimits.For(openai, "gpt-4o-mini", tier2, lessons)));
        var configured = new CapacityOptions { Tier = 2, Limits = [new ConfiguredLimit { Model = "gpt-4o-mini", Tokens = 5_000 }] };
        Assert.Equal((5_000, LimitSource.Configured, null), Of(QueueLimits.For(openai, "gpt-4o-mini", configured, lessons)));
        Assert.Null(QueueLimits.For(azure, "gpt-4o-mini", tier2, [])); // Azure's quotas are per deployment: configure them
        Assert.Null(QueueLimits.For(openai, "gpt-4o-mini", new CapacityOptions(), [])); // no tier: nothing published applies
        Assert.Equal(90_000, QueueLimits.For(openai, "gpt-4o-2024-08-06", new CapacityOptions { Tier = 1 }, [])!.Tokens); // a dated version
        var gpt4o = new[] { new LearnedLimit(openai.Id, "gpt-4o", 90_000, "batch_4o", DateTimeOffset.UnixEpoch) };
        Assert.Null(QueueLimits.For(openai, "gpt-4o-mini", new CapacityOptions(), gpt4o)); // another model, with a limit of its own

        static (long, LimitSource, int?) Of(QueueLimit? limit) => (limit!.Tokens, limit.Source, limit.Tier);
    }

    [Fact]
    public void TheLimitAFailureTeaches_IsReadFromTheApisMessage()
    {
        var batch = BatchReader.Read("""
            {"id":"batch_1","object":"batch","status":"failed","created_at":1733000000,"failed_at":1733000060,"model":"gpt-4o-mini-2024-07-18",
             "errors":{"object":"list","data":[{"code":"token_limit_exceeded","message":"Enqueued token limit reached for gpt-4o-mini in organization org-abc. Limit: 2,000,000 enqueued tokens. Please try again once some in_progress batches have been completed.","param":null,"line":null}]}}
            """).Batch!;
        Assert.Equal(("gpt-4o-mini", 2_000_000L, DateTimeOffset.FromUnixTimeSeconds(1733000060)), TokenLimitFailure.LimitOf(batch));
        Assert.Null(TokenLimitFailure.LimitOf(batch with { Errors = [new BatchError("invalid_json_line", "Line 3 is not JSON.", null, 3)] }));
    }

    [Fact]
    public void WhenAQueueFits_IsWhereItsHoldsRunningDownToTheirEndsLeaveRoom()
    {
        var now = DateTimeOffset.UnixEpoch.AddDays(100);
        var holds = new (long, DateTimeOffset?)[] { (100, now.AddMinutes(10)), (100, now.AddMinutes(20)) };

        // 200 now; at 10 min, 0 + 50: the room of 100 is reached two thirds of the way there.
        Assert.Equal(now.AddMinutes(20.0 / 3), CapacityQueries.FitsAt(holds, 100, now));
        Assert.Equal(now.AddMinutes(20), CapacityQueries.FitsAt(holds, 0, now));
        Assert.Null(CapacityQueries.FitsAt([.. holds, (50, null)], 40, now)); // a batch with no pace holds on
    }

    private static async Task<Batch> CreateAsync(IBatchApiClient client, string lines)
    {
        var file = await client.UploadBatchFileAsync(new MemoryStream(Encoding.UTF8.GetBytes(lines)), "input.jsonl", Token);
        return await client.CreateBatchAsync(new CreateBatchRequest { InputFileId = file.Id, Endpoint = "/v1/chat/completions", CompletionWindow = "24h" }, Token);
    }
}
