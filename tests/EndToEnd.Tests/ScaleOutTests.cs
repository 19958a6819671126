using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using BatchDashboard.Dashboard.Security;
using BatchDashboard.Tests.Shared;
using Microsoft.Playwright;
using Npgsql;
using static Microsoft.Playwright.Assertions;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>
/// Two real instances of the standalone app (processes of <c>src/Server</c>) sharing one private PostgreSQL, and one
/// upstream: exactly one syncs, both serve pages and live updates, a sign-in made on one is good on the other, and
/// when the syncing one is killed the other takes the lease over within two intervals and carries on, with no
/// duplicate rows and no lost updates.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ScaleOutTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly PostgresServer _postgres = new();
    private readonly FakeBatchApi _api = new();
    private readonly List<AppProcess> _instances = [];
    private ApiTestServer _upstream = default!;
    private string _database = "";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _postgres.InitializeAsync();
        _database = await _postgres.CreateDatabaseAsync();
        for (var i = 0; i < 30; i++)
        {
            _api.Add(TestBatches.Json($"batch_{i:D2}", i % 3 == 0 ? "completed" : "in_progress", created: TestBatches.Created + i, total: 100, completed: i));
        }

        _upstream = new ApiTestServer(_api.HandleAsync);
        _instances.Add(AppProcess.Start("a", Settings()));
        _instances.Add(AppProcess.Start("b", Settings()));
        await Task.WhenAll(_instances.Select(i => i.WaitUntilHealthyAsync()));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            instance.Dispose();
        }

        await _upstream.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    private Dictionary<string, string> Settings() => new()
    {
        ["OPENAI_API_KEY"] = "sk-scale-out-test",
        ["OPENAI_BASE_URL"] = _upstream.BaseUrl.ToString(),
        ["BatchDashboard__Database__Provider"] = "Postgres",
        ["ConnectionStrings__BatchCache"] = _database,
        ["BatchDashboard__Sync__ActivePollInterval"] = Interval.ToString("c", CultureInfo.InvariantCulture),
        ["BatchDashboard__Sync__IdlePollInterval"] = Interval.ToString("c", CultureInfo.InvariantCulture),
        ["BatchDashboard__Sync__FollowerPollInterval"] = "00:00:00.250",
        ["BatchDashboard__Access__Mode"] = "SignIn",
        ["BatchDashboard__Access__Users__0__Name"] = "olga",
        ["BatchDashboard__Access__Users__0__PasswordHash"] = DashboardSignIn.Hash(Password),
        ["BatchDashboard__Access__Users__0__Roles__0"] = "operator",
    };

    [Fact]
    public async Task TwoInstances_OneSyncs_BothServeLive_AndTheOtherTakesOverWhenItIsKilled()
    {
        // Exactly one holds the lease, and the first import fills the shared cache once.
        var lease = await WaitForAsync(ReadLeaseAsync, l => l is not null, "a lease holder");
        var leader = _instances.Single(i => lease!.Value.Holder.Contains($"/{i.Process.Id}/", StringComparison.Ordinal));
        var follower = _instances.Single(i => i != leader);
        await WaitForCacheToMatchUpstreamAsync();
        Assert.Contains("this instance holds the sync lease", await leader.Client.GetStringAsync("/healthz", Token), StringComparison.Ordinal);
        Assert.Contains("this one follows the shared cache", await follower.Client.GetStringAsync("/healthz", Token), StringComparison.Ordinal);

        // A sign-in on one instance is good on the other: the form's antiforgery token made by the follower is
        // accepted by the leader, and the leader's cookie by the follower (one key ring, in the database).
        var cookie = await SignInAcrossAsync(formFrom: follower, postTo: leader);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/batches?limit=100"))
        {
            request.Headers.Add("Cookie", cookie);
            using var response = await follower.Client.SendAsync(request, Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(30, BatchIdInJson().Matches(await response.Content.ReadAsStringAsync(Token)).Count);
        }

        // The follower's open list updates live from what the leader writes.
        await using var session = await PageSession.OpenAsync(browser.Browser, follower.BaseAddress);
        var page = session.Page;
        await page.GotoAsync("signin?returnUrl=batches");
        await page.GetByLabel("Name").FillAsync("olga");
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await session.WaitForInteractiveAsync();
        await Expect(page.Locator("tr:has(td[data-batch-id='batch_29'])")).ToBeVisibleAsync();
        _api.Add(TestBatches.Json("batch_while_following", "in_progress", created: TestBatches.Created + 100));
        await Expect(page.Locator("tr:has(td[data-batch-id='batch_while_following'])")).ToBeVisibleAsync(new() { Timeout = 15_000 });

        // Kill the leader hard; the upstream moves on meanwhile.
        var before = (await ReadLeaseAsync())!.Value;
        leader.Kill();
        for (var i = 1; i < 30; i += 3)
        {
            _api.Update($"batch_{i:D2}", batch =>
            {
                batch["status"] = "completed";
                batch["completed_at"] = TestBatches.Created + 3600;
                batch["request_counts"]!["completed"] = 100;
                batch["request_counts"]!["failed"] = 0;
            });
        }

        _api.Add(TestBatches.Json("batch_after_the_kill", "in_progress", created: TestBatches.Created + 200));

        // The follower takes the lease within two intervals of the dead leader's last renewal.
        var after = await WaitForAsync(ReadLeaseAsync, l => l is { } now && now.Holder != before.Holder, "the lease to change hands", TimeSpan.FromSeconds(30));
        Assert.Contains($"/{follower.Process.Id}/", after!.Value.Holder, StringComparison.Ordinal);
        var lastRenewal = before.ExpiresAt - (long)(Interval.TotalMilliseconds * 1.5);
        var takenAfter = TimeSpan.FromMilliseconds(after.Value.AcquiredAt - lastRenewal);
        TestContext.Current.TestOutputHelper?.WriteLine($"Lease taken over {takenAfter.TotalSeconds:0.00} s after the killed leader's last renewal (interval {Interval.TotalSeconds} s).");
        Assert.True(takenAfter <= 2 * Interval + TimeSpan.FromMilliseconds(500), $"Taken over {takenAfter.TotalSeconds:0.0} s after the last renewal; the limit is two intervals ({2 * Interval.TotalSeconds} s).");

        // It syncs now: the cache equals the upstream, each batch once, every change of status or counts recorded once.
        await WaitForCacheToMatchUpstreamAsync();
        await Expect(page.Locator("tr:has(td[data-batch-id='batch_after_the_kill'])")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) - COUNT(DISTINCT (connection_id, id)) FROM batches"));
        Assert.Equal(0L, await ScalarAsync("""
            SELECT COUNT(*) FROM (
                SELECT status, request_total, request_completed, request_failed,
                       LAG(status) OVER w AS previous_status, LAG(request_total) OVER w AS previous_total,
                       LAG(request_completed) OVER w AS previous_completed, LAG(request_failed) OVER w AS previous_failed,
                       ROW_NUMBER() OVER w AS n
                FROM batch_snapshots WINDOW w AS (PARTITION BY batch_key ORDER BY id)) s
            WHERE n > 1 AND status = previous_status AND request_total IS NOT DISTINCT FROM previous_total
              AND request_completed IS NOT DISTINCT FROM previous_completed AND request_failed IS NOT DISTINCT FROM previous_failed
            """));
        Assert.Empty(session.Errors);
        await session.ScreenshotAsync("scale-out-after-takeover");
    }

    /// <summary>Gets the sign-in form from one instance and posts it to the other; returns the auth cookie it set.</summary>
    private static async Task<string> SignInAcrossAsync(AppProcess formFrom, AppProcess postTo)
    {
        using var form = await formFrom.Client.GetAsync("/signin", Token);
        var antiforgeryCookie = string.Join("; ", form.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        using var post = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = SignInForm.Fill(await form.Content.ReadAsStringAsync(Token), "olga", Password, "batches"),
        };
        post.Headers.Add("Cookie", antiforgeryCookie);
        using var signedIn = await postTo.Client.SendAsync(post, Token);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.DoesNotContain("error=", signedIn.Headers.Location?.OriginalString ?? "", StringComparison.Ordinal);
        return string.Join("; ", signedIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
    }

    private async Task WaitForCacheToMatchUpstreamAsync()
    {
        string Expected() => string.Join('\n', _api.Snapshot()
            .Select(b => $"{b["id"]} {b["status"]} {b["request_counts"]?["completed"]} {b["request_counts"]?["failed"]}")
            .Order(StringComparer.Ordinal));
        await WaitForAsync(async () => await CachedAsync(), cached => cached == Expected(), "the cache to equal the upstream", TimeSpan.FromSeconds(30));
    }

    private async Task<string> CachedAsync()
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand("SELECT id, status, request_completed, request_failed FROM batches", connection);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Token);
        while (await reader.ReadAsync(Token))
        {
            rows.Add($"{reader.GetString(0)} {reader.GetString(1)} {reader.GetInt32(2)} {reader.GetInt32(3)}");
        }

        return string.Join('\n', rows.Order(StringComparer.Ordinal));
    }

    private async Task<(string Holder, long AcquiredAt, long ExpiresAt)?> ReadLeaseAsync()
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand("SELECT holder, acquired_at, expires_at FROM sync_leases WHERE name = 'sync'", connection);
        await using var reader = await command.ExecuteReaderAsync(Token);
        return await reader.ReadAsync(Token) ? (reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)) : null;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Token), CultureInfo.InvariantCulture);
    }

    private async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        T value;
        while (true)
        {
            try
            {
                value = await read();
                if (done(value))
                {
                    return value;
                }
            }
            catch (PostgresException ex) when (ex.SqlState == "42P01")
            {
                // The instances are still migrating.
                value = default!;
            }

            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(60)))
            {
                Assert.Fail($"Timed out waiting for {what}. Last: {value}\n{string.Join("\n", _instances.Select(i => i.Output))}");
            }

            await Task.Delay(100, Token);
        }
    }

    [GeneratedRegex("\"id\":\"batch_\\d+\"")]
    private static partial Regex BatchIdInJson();

}
