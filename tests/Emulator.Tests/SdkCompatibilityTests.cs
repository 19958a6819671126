using System.ClientModel;
using System.Text.Json;
using OpenAI;
using OpenAI.Batch;
using OpenAI.Files;
using static BatchDashboard.Emulator.Tests.BatchShape;

namespace BatchDashboard.Emulator.Tests;

/// <summary>The official OpenAI .NET SDK (2.15.0) drives the emulator as it would drive api.openai.com.</summary>
public sealed class SdkCompatibilityTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Files_upload_list_download_and_delete_through_the_SDK()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var content = EmulatorHarness.ChatFile(3);

        var file = await emulator.UploadAsync(content, "my-requests.jsonl");

        Assert.StartsWith("file-", file.Id);
        Assert.Equal("my-requests.jsonl", file.Filename);
        Assert.Equal(FilePurpose.Batch, file.Purpose);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(content), file.SizeInBytesLong);
        Assert.Equal(emulator.Clock.GetUtcNow().ToUnixTimeSeconds(), file.CreatedAt.ToUnixTimeSeconds());
        Assert.Equal(file.CreatedAt.AddDays(30), file.ExpiresAt);

        Assert.Equal(file.Id, (await emulator.Files.GetFileAsync(file.Id, Token)).Value.Id);
        Assert.Contains((await emulator.Files.GetFilesAsync(FilePurpose.Batch, Token)).Value, f => f.Id == file.Id);
        Assert.Equal(content, await emulator.DownloadAsync(file.Id));

        var deletion = (await emulator.Files.DeleteFileAsync(file.Id, Token)).Value;
        Assert.True(deletion.Deleted);
        Assert.Equal(file.Id, deletion.FileId);
        var gone = await Assert.ThrowsAsync<ClientResultException>(() => emulator.Files.GetFileAsync(file.Id, Token));
        Assert.Equal(404, gone.Status);
    }

    [Fact]
    public async Task A_batch_moves_from_validating_to_completed_as_the_SDK_polls_it()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var file = await emulator.UploadAsync(EmulatorHarness.ChatFile(30));

        var (operation, created) = await emulator.CreateAsync(file.Id, metadata: new { project = "demo", owner = "amira" });

        AssertMatchesSpec(created);
        Assert.Equal("validating", Status(created));
        Assert.Equal(operation.BatchId, created.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("model").ValueKind);
        Assert.Equal((0, 0, 0), Counts(created));
        Assert.Equal(Time(created, "created_at") + 86_400, Time(created, "expires_at"));
        Assert.Equal("amira", created.GetProperty("metadata").GetProperty("owner").GetString());
        Assert.False(operation.HasCompleted);

        emulator.Clock.Advance(TimeSpan.FromSeconds(11.5)); // validated after 10 s; 15 of 30 requests done at 10/s
        var running = await emulator.GetBatchAsync(operation.BatchId);
        AssertMatchesSpec(running);
        Assert.Equal("in_progress", Status(running));
        Assert.Equal("gpt-4o-mini", running.GetProperty("model").GetString());
        Assert.Equal((30, 15, 0), Counts(running));
        Assert.Equal(Time(created, "created_at") + 10, Time(running, "in_progress_at"));

        emulator.Clock.Advance(TimeSpan.FromSeconds(2));
        var finalizing = await emulator.GetBatchAsync(operation.BatchId);
        Assert.Equal("finalizing", Status(finalizing));
        Assert.Equal((30, 30, 0), Counts(finalizing));
        Assert.Equal(JsonValueKind.Null, finalizing.GetProperty("output_file_id").ValueKind);

        emulator.Clock.Advance(TimeSpan.FromSeconds(10));
        await operation.UpdateStatusAsync();
        Assert.True(operation.HasCompleted);
        var completed = EmulatorHarness.Json(operation.GetRawResponse().Content);
        AssertMatchesSpec(completed);
        Assert.Equal("completed", Status(completed));
        Assert.Equal(Time(completed, "finalizing_at") + 10, Time(completed, "completed_at"));
        Assert.Null(Text(completed, "error_file_id"));
        Assert.True(completed.GetProperty("usage").GetProperty("input_tokens").GetInt64() > 0);
        Assert.True(completed.GetProperty("usage").GetProperty("output_tokens").GetInt64() > 0);

        var output = EmulatorHarness.Lines(await emulator.DownloadAsync(Text(completed, "output_file_id")!));
        Assert.Equal(30, output.Count);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => $"request-{i}").Order(), output.Select(l => l.GetProperty("custom_id").GetString()).Order());
        Assert.All(output, line =>
        {
            Assert.StartsWith("batch_req_", line.GetProperty("id").GetString());
            Assert.Equal(JsonValueKind.Null, line.GetProperty("error").ValueKind);
            var response = line.GetProperty("response");
            Assert.Equal(200, response.GetProperty("status_code").GetInt32());
            Assert.Equal(32, response.GetProperty("request_id").GetString()!.Length);
            var body = response.GetProperty("body");
            Assert.Equal("chat.completion", body.GetProperty("object").GetString());
            Assert.Equal("gpt-4o-mini", body.GetProperty("model").GetString());
            Assert.Equal("assistant", body.GetProperty("choices")[0].GetProperty("message").GetProperty("role").GetString());
        });
        var outputFile = (await emulator.Files.GetFileAsync(Text(completed, "output_file_id")!, Token)).Value;
        Assert.Equal(FilePurpose.BatchOutput, outputFile.Purpose);
    }

    [Fact]
    public async Task Failed_requests_go_to_the_error_file_in_the_APIs_two_shapes()
    {
        await using var emulator = await EmulatorHarness.StartAsync(options => options.FailureRate = 0.5);
        var batch = await emulator.StartBatchAsync(200);
        emulator.Clock.Advance(TimeSpan.FromMinutes(1));

        var done = await emulator.GetBatchAsync(batch.GetProperty("id").GetString()!);

        Assert.Equal("completed", Status(done));
        var (total, completed, failed) = Counts(done);
        Assert.Equal(200, total);
        Assert.Equal(200, completed + failed);
        Assert.InRange(failed, 60, 140);
        var output = EmulatorHarness.Lines(await emulator.DownloadAsync(Text(done, "output_file_id")!));
        var errors = EmulatorHarness.Lines(await emulator.DownloadAsync(Text(done, "error_file_id")!));
        Assert.Equal(completed, output.Count);
        Assert.Equal(failed, errors.Count);
        Assert.Equal(200, output.Concat(errors).Select(l => l.GetProperty("custom_id").GetString()).Distinct().Count());

        var httpErrors = errors.Where(l => l.GetProperty("response").ValueKind == JsonValueKind.Object).ToList();
        var otherErrors = errors.Where(l => l.GetProperty("response").ValueKind == JsonValueKind.Null).ToList();
        Assert.NotEmpty(httpErrors);
        Assert.NotEmpty(otherErrors);
        Assert.All(httpErrors, line =>
        {
            Assert.Equal(JsonValueKind.Null, line.GetProperty("error").ValueKind);
            Assert.Contains(line.GetProperty("response").GetProperty("status_code").GetInt32(), new[] { 400, 500 });
            var error = line.GetProperty("response").GetProperty("body").GetProperty("error");
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
            Assert.Contains(error.GetProperty("type").GetString(), new[] { "invalid_request_error", "server_error" });
        });
        Assert.All(otherErrors, line => Assert.Equal("request_timeout", line.GetProperty("error").GetProperty("code").GetString()));
    }

    [Fact]
    public async Task The_list_pages_newest_first_through_the_typed_and_protocol_methods()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var file = await emulator.UploadAsync(EmulatorHarness.ChatFile(2));
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await emulator.CreateAsync(file.Id)).Operation.BatchId);
            emulator.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        ids.Reverse();

        var typed = new List<BatchJob>();
        await foreach (var job in emulator.Batches.GetBatchesAsync(new BatchCollectionOptions { PageSizeLimit = 2 }, Token))
        {
            typed.Add(job);
        }

        Assert.Equal(ids, typed.Select(j => j.Id));
        Assert.All(typed, job => Assert.Equal(file.Id, job.InputFileId));

        var pages = new List<JsonElement>();
        await foreach (var page in emulator.Batches.GetBatchesAsync(after: null, limit: 2, options: null).GetRawPagesAsync())
        {
            pages.Add(EmulatorHarness.Json(page.GetRawResponse().Content));
        }

        Assert.Equal([true, true, false], pages.Select(p => p.GetProperty("has_more").GetBoolean()));
        Assert.All(pages, page =>
        {
            Assert.Equal("list", page.GetProperty("object").GetString());
            var data = page.GetProperty("data");
            Assert.Equal(data[0].GetProperty("id").GetString(), page.GetProperty("first_id").GetString());
            Assert.Equal(data[data.GetArrayLength() - 1].GetProperty("id").GetString(), page.GetProperty("last_id").GetString());
            Assert.All(data.EnumerateArray(), AssertMatchesSpec);
        });
        Assert.Equal(ids, pages.SelectMany(p => p.GetProperty("data").EnumerateArray()).Select(b => b.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Cancelling_a_running_batch_goes_through_cancelling_to_cancelled_with_partial_results()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var file = await emulator.UploadAsync(EmulatorHarness.ChatFile(100));
        var (operation, _) = await emulator.CreateAsync(file.Id);
        emulator.Clock.Advance(TimeSpan.FromSeconds(13)); // 30 of 100 done

        var cancelling = EmulatorHarness.Json((await operation.CancelAsync(options: null)).GetRawResponse().Content);

        AssertMatchesSpec(cancelling);
        Assert.Equal("cancelling", Status(cancelling));
        Assert.Equal(emulator.Clock.GetUtcNow().ToUnixTimeSeconds(), Time(cancelling, "cancelling_at"));
        Assert.Equal((100, 30, 0), Counts(cancelling));

        emulator.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("cancelling", Status(await emulator.GetBatchAsync(operation.BatchId)));
        emulator.Clock.Advance(TimeSpan.FromSeconds(1));
        await operation.UpdateStatusAsync();
        var cancelled = EmulatorHarness.Json(operation.GetRawResponse().Content);

        Assert.True(operation.HasCompleted);
        AssertMatchesSpec(cancelled);
        Assert.Equal("cancelled", Status(cancelled));
        Assert.Equal(Time(cancelled, "cancelling_at") + 30, Time(cancelled, "cancelled_at"));
        Assert.Equal((100, 30, 0), Counts(cancelled));
        Assert.Equal(30, EmulatorHarness.Lines(await emulator.DownloadAsync(Text(cancelled, "output_file_id")!)).Count);
        var errors = EmulatorHarness.Lines(await emulator.DownloadAsync(Text(cancelled, "error_file_id")!));
        Assert.Equal(70, errors.Count);
        Assert.All(errors, line => Assert.Equal("batch_cancelled", line.GetProperty("error").GetProperty("code").GetString()));
    }

    [Fact]
    public async Task A_wrong_key_is_refused_with_the_APIs_401()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var wrong = new OpenAIClient(new ApiKeyCredential("sk-not-the-right-key-1234"), new OpenAIClientOptions { Endpoint = emulator.Server.BaseUrl }).GetBatchClient();

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => wrong.GetBatchAsync("batch_abc", options: null));

        Assert.Equal(401, refused.Status);
        using var request = new HttpRequestMessage(HttpMethod.Get, "batches");
        request.Headers.Authorization = new("Bearer", "sk-not-the-right-key-1234");
        var (status, body) = await EmulatorHarness.ReadAsync(await emulator.Http.SendAsync(request, Token));
        Assert.Equal(401, status);
        var error = body.GetProperty("error");
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.StartsWith("Incorrect API key provided: sk-not-t", error.GetProperty("message").GetString());
        Assert.DoesNotContain("right-key", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Every_status_answers_every_field_the_spec_defines()
    {
        await using var emulator = await EmulatorHarness.StartAsync(options =>
        {
            options.RequestsPerSecond = 0.001; // slow enough for one batch to run out of its 24-hour window
            options.MaxRequestsPerBatch = 1000;
        });
        var slow = (await emulator.StartBatchAsync(100)).GetProperty("id").GetString()!;
        var cancelledEarly = (await emulator.StartBatchAsync(5)).GetProperty("id").GetString()!;
        var bad = await emulator.UploadAsync("{\"custom_id\": \"x\"}\nnot json\n");
        var failed = (await emulator.CreateAsync(bad.Id)).Operation.BatchId;
        var seen = new Dictionary<string, JsonElement>();

        async Task Look()
        {
            foreach (var id in new[] { slow, cancelledEarly, failed })
            {
                var batch = await emulator.GetBatchAsync(id);
                seen.TryAdd(Status(batch), batch);
            }
        }

        await Look();
        await emulator.PostAsync($"batches/{cancelledEarly}/cancel", null);
        await Look();
        emulator.Clock.Advance(TimeSpan.FromSeconds(31));
        await Look();
        emulator.Clock.Advance(TimeSpan.FromHours(24));
        await Look();
        emulator.Clock.Advance(TimeSpan.FromMinutes(11));
        await Look();

        Assert.Equal(["cancelled", "cancelling", "expired", "failed", "finalizing", "in_progress", "validating"], seen.Keys.Order());
        Assert.All(seen.Values, AssertMatchesSpec);
        var expired = seen["expired"];
        Assert.Equal(Time(expired, "expires_at") + 1, Time(expired, "finalizing_at"));
        Assert.Equal((100, 86, 0), Counts(expired));
        var expiredLines = EmulatorHarness.Lines(await emulator.DownloadAsync(Text(expired, "error_file_id")!));
        Assert.Equal(14, expiredLines.Count);
        Assert.All(expiredLines, line => Assert.Equal("batch_expired", line.GetProperty("error").GetProperty("code").GetString()));
        var cancelled = seen["cancelled"];
        Assert.Null(Time(cancelled, "in_progress_at"));
        Assert.Null(Text(cancelled, "output_file_id"));
        Assert.Null(Text(cancelled, "error_file_id"));
        Assert.Equal((0, 0, 0), Counts(cancelled));
    }
}
