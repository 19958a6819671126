using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using BatchDashboard.Emulator.Api;

namespace BatchDashboard.Emulator.Tests;

/// <summary>Faults injected per route, as a user testing their own pipeline's resilience would configure them.</summary>
public sealed class FaultTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_rate_limit_answers_429_with_retry_after()
    {
        await using var emulator = await WithFault(new FaultRule { Route = "GET /v1/batches*", RateLimitShare = 1, RetryAfterSeconds = 7 });

        using var response = await emulator.GetAsync("batches");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        var (_, body) = await EmulatorHarness.ReadAsync(response);
        Assert.Equal("rate_limit_exceeded", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_server_error_answers_500_with_the_APIs_body()
    {
        await using var emulator = await WithFault(new FaultRule { Route = "GET /v1/batches", ServerErrorShare = 1 });

        var (status, body) = await EmulatorHarness.ReadAsync(await emulator.GetAsync("batches"));

        Assert.Equal(500, status);
        Assert.Equal("server_error", body.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Malformed_and_truncated_answers_are_200s_that_do_not_parse()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        await emulator.StartBatchAsync(3);
        var whole = await emulator.Http.GetStringAsync("batches", Token);

        emulator.Server.Faults.Set([new FaultRule { Route = "GET /v1/batches", TruncatedJsonShare = 1 }]);
        using var truncated = await emulator.GetAsync("batches");
        var cut = await truncated.Content.ReadAsStringAsync(Token);
        Assert.Equal(HttpStatusCode.OK, truncated.StatusCode);
        Assert.Equal(whole[..(Encoding.UTF8.GetByteCount(whole) / 2)], cut);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(cut));

        emulator.Server.Faults.Set([new FaultRule { Route = "GET /v1/batches", MalformedJsonShare = 1 }]);
        using var malformed = await emulator.GetAsync("batches");
        Assert.Equal(HttpStatusCode.OK, malformed.StatusCode);
        var malformedBody = await malformed.Content.ReadAsStringAsync(Token);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(malformedBody));
    }

    [Fact]
    public async Task An_HTML_error_page_answers_502()
    {
        await using var emulator = await WithFault(new FaultRule { Route = "*", HtmlErrorShare = 1 });

        using var response = await emulator.GetAsync("files");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>502 Bad Gateway</h1>", await response.Content.ReadAsStringAsync(Token));
    }

    [Fact]
    public async Task A_dropped_connection_answers_nothing()
    {
        await using var emulator = await WithFault(new FaultRule { Route = "GET /v1/batches/*", DropConnectionShare = 1 });

        await Assert.ThrowsAsync<HttpRequestException>(() => emulator.GetAsync("batches/batch_abc"));
        Assert.Equal(HttpStatusCode.OK, (await emulator.GetAsync("batches")).StatusCode);
    }

    [Fact]
    public async Task Latency_delays_the_matching_answers()
    {
        await using var emulator = await WithFault(new FaultRule { Route = "GET /v1/files", Latency = TimeSpan.FromMilliseconds(300) });
        var timer = System.Diagnostics.Stopwatch.StartNew();

        using var slow = await emulator.GetAsync("files");

        Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        Assert.True(timer.Elapsed >= TimeSpan.FromMilliseconds(300), $"answered after {timer.Elapsed}");
    }

    [Fact]
    public async Task A_slow_answer_is_the_real_answer_sent_late_and_a_client_that_gives_up_gets_none()
    {
        await using var emulator = await WithFault(new FaultRule { Route = "GET /v1/batches", SlowAnswerShare = 1, SlowAnswerDelay = TimeSpan.FromMilliseconds(300) });
        var timer = System.Diagnostics.Stopwatch.StartNew();

        var (status, body) = await EmulatorHarness.ReadAsync(await emulator.GetAsync("batches"));

        Assert.Equal(200, status);
        Assert.Equal("list", body.GetProperty("object").GetString());
        Assert.True(timer.Elapsed >= TimeSpan.FromMilliseconds(300), $"answered after {timer.Elapsed}");
        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => emulator.Http.GetAsync("batches", impatient.Token));
    }

    [Fact]
    public async Task A_share_faults_exactly_that_share_of_each_hundred_requests_in_random_order_and_the_tally_counts_them()
    {
        await using var emulator = await WithFault(new FaultRule { Route = "GET /v1/batches", ServerErrorShare = 0.3 });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 200; i++)
        {
            using var response = await emulator.GetAsync("batches");
            statuses.Add(response.StatusCode);
        }

        // 30 of every 100, in a random order.
        Assert.Equal(60, statuses.Count(s => s == HttpStatusCode.InternalServerError));
        Assert.Equal(30, statuses.Take(100).Count(s => s == HttpStatusCode.InternalServerError));
        Assert.NotEqual(statuses.Take(100), statuses.Skip(100));
        Assert.Equal(200, statuses.Count(s => s is HttpStatusCode.OK or HttpStatusCode.InternalServerError));
        (await emulator.GetAsync("files")).Dispose(); // matched by no rule: not counted
        var tally = emulator.Server.Faults.Tally();
        Assert.Equal(200, tally.Requests);
        Assert.Equal(statuses.Count(s => s == HttpStatusCode.InternalServerError), tally.Faulted);
        Assert.Equal(tally.Faulted, tally.Faults[FaultKind.ServerError]);
    }

    [Fact]
    public async Task Faults_are_replaced_at_run_time_with_the_key()
    {
        await using var emulator = await EmulatorHarness.StartAsync();
        using var control = new HttpClient { BaseAddress = new Uri(emulator.Server.BaseUrl.GetLeftPart(UriPartial.Authority)) };
        const string Outage = """[{"route": "GET /v1/batches", "serverErrorShare": 1}]""";

        using (var anonymous = await control.PutAsync("/_emulator/faults", new StringContent(Outage, Encoding.UTF8, "application/json"), Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        control.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", emulator.Server.ApiKey);
        using (var invalid = await control.PutAsync("/_emulator/faults", new StringContent("""[{"route": "*", "serverErrorShare": 2}]""", Encoding.UTF8, "application/json"), Token))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await emulator.GetAsync("batches")).StatusCode);
        (await control.PutAsync("/_emulator/faults", new StringContent(Outage, Encoding.UTF8, "application/json"), Token)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.InternalServerError, (await emulator.GetAsync("batches")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await emulator.GetAsync("files")).StatusCode);
        (await control.PutAsync("/_emulator/faults", new StringContent("[]", Encoding.UTF8, "application/json"), Token)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await emulator.GetAsync("batches")).StatusCode);
    }

    [Fact]
    public async Task Options_that_cannot_work_are_refused_with_every_problem_named()
    {
        var options = new EmulatorOptions { Speed = 0, FailureRate = 2, Faults = [new FaultRule { Route = "", RateLimitShare = 0.8, ServerErrorShare = 0.8 }] };

        var problems = options.Validate();

        Assert.Contains(problems, p => p.StartsWith("Emulator:Speed", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Emulator:FailureRate", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Emulator:Faults:0:Route", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Emulator:Faults:0: every share", StringComparison.Ordinal));
        await Assert.ThrowsAsync<ArgumentException>(() => EmulatorServer.StartAsync(options, cancellationToken: Token));
    }

    private static Task<EmulatorHarness> WithFault(FaultRule rule) => EmulatorHarness.StartAsync(options => options.Faults = [rule]);
}
