using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using static BatchDashboard.Emulator.Tests.BatchShape;

namespace BatchDashboard.Emulator.Tests;

/// <summary>Status codes, error envelopes, limits and headers, read raw as a client without an SDK sees them.</summary>
public sealed class ApiBehaviourTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Answers_carry_the_APIs_headers()
    {
        await using var emulator = await EmulatorHarness.StartAsync();

        using var response = await emulator.GetAsync("batches");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("req_", response.Headers.GetValues("x-request-id").Single());
        Assert.Equal("2020-10-01", response.Headers.GetValues("openai-version").Single());
        Assert.True(int.TryParse(response.Headers.GetValues("openai-processing-ms").Single(), out _));
    }

    [Fact]
    public async Task A_missing_key_and_an_unknown_route_answer_with_the_APIs_error_envelope()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = emulator.Http.BaseAddress };

        var (status, body) = await EmulatorHarness.ReadAsync(await anonymous.GetAsync("batches", Token));
        Assert.Equal(401, status);
        Assert.StartsWith("You didn't provide an API key.", body.GetProperty("error").GetProperty("message").GetString());

        (status, body) = await EmulatorHarness.ReadAsync(await emulator.GetAsync("fine_tuning/nothing"));
        Assert.Equal(404, status);
        Assert.Equal("Invalid URL (GET /v1/fine_tuning/nothing)", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("0", "integer_below_min_value")]
    [InlineData("101", "integer_above_max_value")]
    [InlineData("ten", "invalid_type")]
    public async Task The_list_refuses_a_limit_outside_1_to_100(string limit, string code)
    {
        await using var emulator = await EmulatorHarness.StartAsync();

        var (status, body) = await EmulatorHarness.ReadAsync(await emulator.GetAsync($"batches?limit={limit}"));

        Assert.Equal(400, status);
        Assert.Equal(code, body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("limit", body.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task The_list_returns_20_by_default_and_pages_with_after()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var file = await emulator.UploadAsync(EmulatorHarness.ChatFile(1));
        for (var i = 0; i < 25; i++)
        {
            await emulator.CreateAsync(file.Id);
        }

        var (_, first) = await EmulatorHarness.ReadAsync(await emulator.GetAsync("batches"));
        Assert.Equal(20, first.GetProperty("data").GetArrayLength());
        Assert.True(first.GetProperty("has_more").GetBoolean());

        var (_, rest) = await EmulatorHarness.ReadAsync(await emulator.GetAsync($"batches?after={first.GetProperty("last_id").GetString()}&limit=100"));
        Assert.Equal(5, rest.GetProperty("data").GetArrayLength());
        Assert.False(rest.GetProperty("has_more").GetBoolean());

        var (status, _) = await EmulatorHarness.ReadAsync(await emulator.GetAsync("batches?after=batch_unknown"));
        Assert.Equal(400, status);
    }

    [Fact]
    public async Task An_empty_list_has_null_cursors()
    {
        await using var emulator = await EmulatorHarness.StartAsync();

        var (_, body) = await EmulatorHarness.ReadAsync(await emulator.GetAsync("batches"));

        Assert.Equal(0, body.GetProperty("data").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("first_id").ValueKind);
        Assert.False(body.GetProperty("has_more").GetBoolean());
    }

    public static TheoryData<string, string, string> BadCreates => new()
    {
        { """{"endpoint": "/v1/chat/completions", "completion_window": "24h"}""", "input_file_id", "missing_required_parameter" },
        { """{"input_file_id": "FILE", "endpoint": "/v1/audio/speech", "completion_window": "24h"}""", "endpoint", "invalid_value" },
        { """{"input_file_id": "FILE", "endpoint": "/v1/chat/completions", "completion_window": "48h"}""", "completion_window", "invalid_value" },
        { """{"input_file_id": "FILE", "endpoint": "/v1/chat/completions", "completion_window": "24h", "metadata": {"n": 1}}""", "metadata.n", "invalid_type" },
        { """{"input_file_id": "FILE", "endpoint": "/v1/chat/completions", "completion_window": "24h", "metadata": {"k": "LONG"}}""", "metadata.k", "string_above_max_length" },
        { """{"input_file_id": "FILE", "endpoint": "/v1/chat/completions", "completion_window": "24h", "metadata": MANY}""", "metadata", "object_above_max_properties" },
        { """{"input_file_id": "FILE", "endpoint": "/v1/chat/completions", "completion_window": "24h", "output_expires_after": {"anchor": "created_at", "seconds": 60}}""", "output_expires_after", "invalid_value" },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public async Task A_bad_create_request_is_refused_naming_its_parameter(string json, string param, string code)
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var file = await emulator.UploadAsync(EmulatorHarness.ChatFile(1));
        var many = "{" + string.Join(", ", Enumerable.Range(1, 17).Select(i => $"\"k{i}\": \"v\"")) + "}";
        json = json.Replace("FILE", file.Id, StringComparison.Ordinal).Replace("LONG", new string('x', 513), StringComparison.Ordinal).Replace("MANY", many, StringComparison.Ordinal);

        var (status, body) = await EmulatorHarness.ReadAsync(await emulator.PostJsonAsync("batches", json));

        Assert.Equal(400, status);
        Assert.Equal(param, body.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(code, body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_batch_needs_an_existing_file_uploaded_for_batches()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var notForBatches = await UploadRawAsync(emulator, "notes.txt", "hello", "user_data");

        var (status, body) = await EmulatorHarness.ReadAsync(await emulator.PostJsonAsync("batches", """{"input_file_id": "file-nope", "endpoint": "/v1/chat/completions", "completion_window": "24h"}"""));
        Assert.Equal(400, status);
        Assert.Equal("input_file_id", body.GetProperty("error").GetProperty("param").GetString());

        (status, body) = await EmulatorHarness.ReadAsync(await emulator.PostJsonAsync("batches", $$"""{"input_file_id": "{{notForBatches}}", "endpoint": "/v1/chat/completions", "completion_window": "24h"}"""));
        Assert.Equal(400, status);
        Assert.Contains("purpose 'batch'", body.GetProperty("error").GetProperty("message").GetString());

        (status, _) = await EmulatorHarness.ReadAsync(await emulator.PostJsonAsync("batches", "{not json"));
        Assert.Equal(400, status);
    }

    [Theory]
    [InlineData("requests.jsonl", "training", "invalid_value")]
    [InlineData("requests.jsonl", null, "missing_required_parameter")]
    [InlineData("requests.csv", "batch", null)]
    public async Task A_bad_upload_is_refused(string filename, string? purpose, string? code)
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(EmulatorHarness.ChatFile(1)), "file", filename);
        if (purpose is not null)
        {
            form.Add(new StringContent(purpose), "purpose");
        }

        var (status, body) = await EmulatorHarness.ReadAsync(await emulator.PostAsync("files", form));

        Assert.Equal(400, status);
        Assert.Equal(code, Text(body.GetProperty("error"), "code"));
        Assert.Empty(Directory.GetFiles(emulator.Server.State.StorageDirectory, "*.upload"));
    }

    [Fact]
    public async Task A_file_gone_upstream_answers_404_with_the_APIs_extra_detail()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var file = await emulator.UploadAsync(EmulatorHarness.ChatFile(2));
        var batch = (await emulator.CreateAsync(file.Id, outputExpiresAfter: new { anchor = "created_at", seconds = 3600 })).Batch;
        emulator.Clock.Advance(TimeSpan.FromMinutes(1));
        var outputId = Text(await emulator.GetBatchAsync(batch.GetProperty("id").GetString()!), "output_file_id")!;
        Assert.Equal(HttpStatusCode.OK, (await emulator.GetAsync($"files/{outputId}/content")).StatusCode);

        emulator.Clock.Advance(TimeSpan.FromHours(1));

        var (status, body) = await EmulatorHarness.ReadAsync(await emulator.GetAsync($"files/{outputId}/content"));
        Assert.Equal(404, status);
        Assert.Equal($"No such File object: {outputId}", body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("id", body.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(body.GetProperty("error").GetProperty("message").GetString(), body.GetProperty("detail").GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await emulator.GetAsync($"files/{outputId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await emulator.GetAsync($"files/{file.Id}/content")).StatusCode);
    }

    [Fact]
    public async Task Only_a_validating_or_running_batch_can_be_cancelled()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var id = (await emulator.StartBatchAsync(2)).GetProperty("id").GetString()!;

        var (status, body) = await EmulatorHarness.ReadAsync(await emulator.PostAsync($"batches/{id}/cancel", null));
        Assert.Equal(200, status);
        Assert.Equal("cancelling", Status(body));
        var cancellingAt = Time(body, "cancelling_at");

        emulator.Clock.Advance(TimeSpan.FromSeconds(5));
        (status, body) = await EmulatorHarness.ReadAsync(await emulator.PostAsync($"batches/{id}/cancel", null));
        Assert.Equal(200, status);
        Assert.Equal(cancellingAt, Time(body, "cancelling_at"));

        emulator.Clock.Advance(TimeSpan.FromMinutes(1));
        (status, body) = await EmulatorHarness.ReadAsync(await emulator.PostAsync($"batches/{id}/cancel", null));
        Assert.Equal(400, status);
        Assert.Equal("Cannot cancel a batch with status 'cancelled'.", body.GetProperty("error").GetProperty("message").GetString());

        (status, _) = await EmulatorHarness.ReadAsync(await emulator.PostAsync("batches/batch_nope/cancel", null));
        Assert.Equal(404, status);
        (status, _) = await EmulatorHarness.ReadAsync(await emulator.GetAsync("batches/batch_nope"));
        Assert.Equal(404, status);
    }

    [Theory]
    [InlineData("/v1/responses", "response")]
    [InlineData("/v1/embeddings", "list")]
    [InlineData("/v1/completions", "text_completion")]
    [InlineData("/v1/chat/completions", "chat.completion")]
    public async Task Each_endpoint_answers_with_its_own_response_body(string endpoint, string bodyObject)
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var model = endpoint == "/v1/embeddings" ? "text-embedding-3-small" : "gpt-5-mini";
        var lines = Enumerable.Range(1, 3).Select(i => $$$"""{"custom_id": "r{{{i}}}", "method": "POST", "url": "{{{endpoint}}}", "body": {"model": "{{{model}}}", "input": "text {{{i}}}"}}""");
        var file = await emulator.UploadAsync(string.Join("\n", lines));
        var id = (await emulator.CreateAsync(file.Id, endpoint)).Operation.BatchId;
        emulator.Clock.Advance(TimeSpan.FromMinutes(1));
        var done = await emulator.GetBatchAsync(id);

        var body = EmulatorHarness.Lines(await emulator.DownloadAsync(Text(done, "output_file_id")!))[0].GetProperty("response").GetProperty("body");

        Assert.Equal(bodyObject, body.GetProperty("object").GetString());
        var usage = done.GetProperty("usage");
        if (endpoint == "/v1/embeddings")
        {
            Assert.Equal(16, body.GetProperty("data")[0].GetProperty("embedding").GetArrayLength());
            Assert.Equal(0, usage.GetProperty("output_tokens").GetInt64());
        }
        else
        {
            Assert.True(usage.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt64() > 0, "gpt-5 models reason");
        }
    }

    [Fact]
    public async Task Moderations_answer_results()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        var line = """{"custom_id": "m1", "method": "POST", "url": "/v1/moderations", "body": {"model": "omni-moderation-latest", "input": "hello"}}""";
        var id = (await emulator.CreateAsync((await emulator.UploadAsync(line)).Id, "/v1/moderations")).Operation.BatchId;
        emulator.Clock.Advance(TimeSpan.FromMinutes(1));

        var body = EmulatorHarness.Lines(await emulator.DownloadAsync(Text(await emulator.GetBatchAsync(id), "output_file_id")!))[0].GetProperty("response").GetProperty("body");

        Assert.StartsWith("modr-", body.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.False, body.GetProperty("results")[0].GetProperty("categories").GetProperty("hate").ValueKind);
    }

    private static async Task<string> UploadRawAsync(EmulatorHarness emulator, string filename, string content, string purpose)
    {
        using var form = new MultipartFormDataContent();
        var part = new StringContent(content);
        part.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = Encoding.UTF8.WebName };
        form.Add(part, "file", filename);
        form.Add(new StringContent(purpose), "purpose");
        var (status, body) = await EmulatorHarness.ReadAsync(await emulator.PostAsync("files", form));
        Assert.Equal(200, status);
        return body.GetProperty("id").GetString()!;
    }
}
