using BatchDashboard.Tests.Shared;
using System.Text.Json;
using static BatchDashboard.Emulator.Tests.BatchShape;

namespace BatchDashboard.Emulator.Tests;

/// <summary>Bad input files fail their batch while validating, each problem reported with its line, as OpenAI does.</summary>
public sealed class ValidationTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private const string Url = "/v1/chat/completions";

    // The emulator's limit of requests is set to 5 in these tests, so that case needs only six lines.
    public static TheoryData<string, string, string, string?, int?> BadFiles =>
        BadInputFiles.Theory(("too many requests", string.Join("\n", Enumerable.Range(1, 6).Select(i => Line($"r{i}"))), "too_many_tasks", null, null));

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_bad_file_fails_the_batch_with_the_problem_and_its_line(string why, string content, string code, string? param, int? line)
    {
        await using var emulator = await EmulatorHarness.StartAsync(options => options.MaxRequestsPerBatch = 5);
        var file = await emulator.UploadAsync(content);
        var (operation, created) = await emulator.CreateAsync(file.Id);
        Assert.Equal("validating", Status(created));

        emulator.Clock.Advance(TimeSpan.FromSeconds(10));
        await operation.UpdateStatusAsync();
        var failed = EmulatorHarness.Json(operation.GetRawResponse().Content);

        Assert.True(operation.HasCompleted, why);
        AssertMatchesSpec(failed);
        Assert.Equal("failed", Status(failed));
        Assert.Equal(Time(failed, "created_at") + 10, Time(failed, "failed_at"));
        Assert.Null(Time(failed, "in_progress_at"));
        Assert.Equal((0, 0, 0), Counts(failed));
        var error = Assert.Single(failed.GetProperty("errors").GetProperty("data").EnumerateArray());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(param, Text(error, "param"));
        Assert.Equal(line, error.GetProperty("line").ValueKind == JsonValueKind.Null ? null : error.GetProperty("line").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task A_batch_over_its_models_queued_token_limit_fails_validation_as_the_API_does_and_one_under_it_runs()
    {
        // Counted as the dashboard counts them: either file fits alone, not both.
        static long Tokens(string file)
        {
            using var counter = new BatchDashboard.Tokens.PromptTokenCounter();
            return file.Split('\n', StringSplitOptions.RemoveEmptyEntries).Sum(line => counter.CountRequest(System.Text.Encoding.UTF8.GetBytes(line)));
        }

        var limit = Tokens(EmulatorHarness.ChatFile(5)) + Tokens(EmulatorHarness.ChatFile(5, "more")) - 1;
        await using var emulator = await EmulatorHarness.StartAsync(options =>
        {
            options.QueuedTokenLimits["gpt-4o-mini"] = limit;
            options.QueuedTokenLimit = 1_000_000;
        });
        var first = (await emulator.CreateAsync((await emulator.UploadAsync(EmulatorHarness.ChatFile(5))).Id)).Batch;
        var second = (await emulator.CreateAsync((await emulator.UploadAsync(EmulatorHarness.ChatFile(5, "more"))).Id)).Batch;
        var other = (await emulator.CreateAsync((await emulator.UploadAsync(string.Join("\n", Enumerable.Range(1, 5).Select(i => EmulatorHarness.ChatLine($"o{i}", model: "gpt-4.1-mini"))))).Id)).Batch;
        emulator.Clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal("in_progress", Status(await emulator.GetBatchAsync(first.GetProperty("id").GetString()!)));
        Assert.Equal("in_progress", Status(await emulator.GetBatchAsync(other.GetProperty("id").GetString()!))); // another model, its own queue
        var failed = await emulator.GetBatchAsync(second.GetProperty("id").GetString()!);
        AssertMatchesSpec(failed);
        Assert.Equal("failed", Status(failed));
        var error = Assert.Single(failed.GetProperty("errors").GetProperty("data").EnumerateArray());
        Assert.Equal("token_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Equal(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Enqueued token limit reached for gpt-4o-mini in organization org-emulator. Limit: {limit:N0} enqueued tokens. Please try again once some in_progress batches have been completed."),
            error.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("line").ValueKind);

        // Once the first has run, its tokens are free again: the same file now fits.
        emulator.Clock.Advance(TimeSpan.FromMinutes(5));
        var third = (await emulator.CreateAsync((await emulator.UploadAsync(EmulatorHarness.ChatFile(5, "again"))).Id)).Batch;
        emulator.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.NotEqual("failed", Status(await emulator.GetBatchAsync(third.GetProperty("id").GetString()!)));
    }

    [Fact]
    public async Task Every_problem_of_a_file_is_listed_with_its_own_line()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var content = string.Join("\n", Line("a"), "oops", Line("a"), Line("d", url: "/v1/responses"), Line("e")) + "\n";
        var batch = (await emulator.CreateAsync((await emulator.UploadAsync(content)).Id)).Batch;
        emulator.Clock.Advance(TimeSpan.FromSeconds(10));

        var failed = await emulator.GetBatchAsync(batch.GetProperty("id").GetString()!);

        var errors = failed.GetProperty("errors").GetProperty("data").EnumerateArray()
            .Select(e => (e.GetProperty("code").GetString(), e.GetProperty("line").GetInt32())).ToList();
        Assert.Equal([("invalid_json_line", 2), ("duplicate_custom_id", 3), ("url_mismatch", 4)], errors);
    }

    [Fact]
    public async Task A_file_over_the_size_limit_fails_validation()
    {
        await using var emulator = await EmulatorHarness.StartAsync(options => options.MaxBatchInputBytes = 300);
        var batch = await emulator.StartBatchAsync(3);
        emulator.Clock.Advance(TimeSpan.FromSeconds(10));

        var failed = await emulator.GetBatchAsync(batch.GetProperty("id").GetString()!);

        Assert.Equal("failed", Status(failed));
        var error = Assert.Single(failed.GetProperty("errors").GetProperty("data").EnumerateArray());
        Assert.Equal("file_too_large", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Blank_lines_and_a_byte_order_mark_are_accepted()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var content = "\uFEFF" + Line("a") + "\n\n" + Line("b") + "\n   \n" + Line("c") + "\n\n";
        var batch = (await emulator.CreateAsync((await emulator.UploadAsync(content)).Id)).Batch;
        emulator.Clock.Advance(TimeSpan.FromMinutes(1));

        var done = await emulator.GetBatchAsync(batch.GetProperty("id").GetString()!);

        Assert.Equal("completed", Status(done));
        Assert.Equal((3, 3, 0), Counts(done));
    }

    private static string Line(string id, string model = "gpt-4o-mini", string url = Url) => BadInputFiles.Line(id, model, url);
}
