using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.RegularExpressions;
using BatchDashboard.Core.Audit;
using BatchDashboard.Core.Sync;
using BatchDashboard.Dashboard.Security;
using BatchDashboard.Tests.Shared;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace BatchDashboard.Dashboard.Tests.Hosting;

/// <summary>Who may reach what, in each access mode of the standalone app, checked by the server on every request.</summary>
public sealed partial class AccessTests
{
    private const string Password = "correct horse battery";
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static WebApplicationFactoryClientOptions NoRedirects => new() { AllowAutoRedirect = false };

    [Fact]
    public async Task LocalMode_ServesThisMachine_AndRefusesEveryOtherAddress_PagesApiAndActions()
    {
        await using var local = new DashboardAppFactory();
        using (var client = local.CreateClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/batches", Token)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/settings", Token)).StatusCode); // the owner is admin
        }

        await using var remote = new DashboardAppFactory().WithClientAddress(IPAddress.Parse("10.1.2.3"));
        using var other = remote.CreateClient(NoRedirects);
        foreach (var path in new[] { "/", "/batches", "/batches/batch_1", "/api/batches", "/settings", "/audit", "/notifications", "/_blazor/negotiate?negotiateVersion=1" })
        {
            using var response = await other.SendAsync(new HttpRequestMessage(path.Contains("negotiate") ? HttpMethod.Post : HttpMethod.Get, path), Token);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{path}: {response.StatusCode}");
        }

        using var page = new HttpRequestMessage(HttpMethod.Get, "/batches");
        page.Headers.Accept.ParseAdd("text/html");
        var html = await (await other.SendAsync(page, Token)).Content.ReadAsStringAsync(Token);
        Assert.Contains("answers requests from its own machine only", html, StringComparison.Ordinal);
        Assert.Contains("answers requests from its own machine only", await (await other.GetAsync("/api/batches", Token)).Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        // The probes stay open, for a load balancer or an orchestrator.
        foreach (var probe in new[] { "/alive", "/health", "/healthz" })
        {
            Assert.Equal(HttpStatusCode.OK, (await other.GetAsync(probe, Token)).StatusCode);
        }
    }

    [Fact]
    public async Task LocalMode_RefusesARequestAProxyForwarded_UnlessTheProxyIsTrusted()
    {
        await using var app = new DashboardAppFactory();
        using var client = app.CreateClient(NoRedirects);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/batches");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");

        // Loopback is a trusted proxy by default, so the client's address replaces it: not this machine.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(request, Token)).StatusCode);
    }

    [Fact]
    public async Task EveryAnswer_CarriesTheSecurityHeaders_AndFrameAncestorsFollowsTheAllowlist()
    {
        await using var closed = new DashboardAppFactory();
        using var client = closed.CreateClient(NoRedirects);
        var html = await client.GetStringAsync("/batches", Token);
        var asset = Loopback.AssetsOf(html)[0];
        foreach (var path in new[] { "/batches", "/api/batches", "/" + asset, "/nowhere", "/embed/batches" })
        {
            using var response = await client.GetAsync(path, Token);
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
            Assert.DoesNotMatch("script-src[^;]*unsafe-inline", csp);
            Assert.EndsWith("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        }

        // No inline script in the page itself: every <script> has a src.
        Assert.DoesNotMatch("<script(?![^>]*\\ssrc=)[^>]*>", html);

        await using var framed = new DashboardAppFactory()
            .WithSetting("BatchDashboard:Embedding:FrameAncestors:0", "https://portal.example.com")
            .WithSetting("BatchDashboard:Embedding:FrameAncestors:1", "https://intranet.example.org/");
        using var embedded = await framed.CreateClient().GetAsync("/embed/batches", Token);
        Assert.EndsWith("frame-ancestors https://portal.example.com https://intranet.example.org", embedded.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.False(embedded.Headers.Contains("X-Frame-Options"));
        var embeddedHtml = await embedded.Content.ReadAsStringAsync(Token);
        Assert.Contains("<base href=\"/embed/\"", embeddedHtml, StringComparison.Ordinal);
        Assert.Contains("app-shell--embedded", embeddedHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"app-bar\"", embeddedHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_SendsVisitorsToTheForm_ChecksTheHash_LocksOut_AndGivesEachUserTheirRole()
    {
        await using var app = SignInApp();
        using var client = app.CreateClient(NoRedirects);

        // Not signed in: a page goes to the form, the API answers 401.
        using (var page = new HttpRequestMessage(HttpMethod.Get, "/batches?status=failed"))
        {
            page.Headers.Accept.ParseAdd("text/html");
            using var response = await client.SendAsync(page, Token);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/signin?returnUrl=batches%3Fstatus%3Dfailed", response.Headers.Location?.OriginalString);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/batches", Token)).StatusCode);
        // The form tells a stranger nothing about the batches: no navigation, no sync state.
        var signInPage = await client.GetStringAsync("/signin", Token);
        Assert.Contains("Sign in to Batch Dashboard", signInPage, StringComparison.Ordinal);
        Assert.DoesNotContain("app-bar__nav", signInPage, StringComparison.Ordinal);
        Assert.DoesNotContain("sync-indicator", signInPage, StringComparison.Ordinal);

        // A wrong password: back to the form with a message. The form needs its antiforgery token.
        var wrong = await SignInAsync(client, "vera", "nope");
        Assert.Equal("/signin?error=wrong&returnUrl=", wrong.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "vera", ["password"] = Password }), Token)).StatusCode);

        // The viewer signs in and reads, but settings and the audit log are the admin's.
        var signedIn = await SignInAsync(client, "vera", Password, "batches");
        Assert.Equal("/batches", signedIn.Headers.Location?.OriginalString);
        var list = await client.GetStringAsync("/batches", Token);
        Assert.Contains("data-testid=\"signed-in-user\"", list, StringComparison.Ordinal);
        Assert.Contains(">viewer<", list, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"batches/new\"", list, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"audit\"", list, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/batches", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/settings", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/audit", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/notifications", Token)).StatusCode);
        Assert.DoesNotContain("href=\"notifications\"", list, StringComparison.Ordinal);
        Assert.Contains("You need the operator role to create batches", await client.GetStringAsync("/batches/new", Token), StringComparison.Ordinal);

        // Five wrong passwords lock the name, even against the right one.
        using var other = app.CreateClient(NoRedirects);
        for (var i = 0; i < 5; i++)
        {
            await SignInAsync(other, "adam", "wrong " + i);
        }

        Assert.Equal("/signin?error=locked&returnUrl=", (await SignInAsync(other, "adam", Password)).Headers.Location?.OriginalString);

        // The audit log has each attempt, and the admin reads it.
        var entries = await app.Services.GetRequiredService<IAuditLog>().ListAsync(50, null, Token);
        Assert.Contains(entries, e => e is { User: "vera", Action: "sign-in", Result: AuditResult.Succeeded });
        Assert.Contains(entries, e => e is { User: "vera", Action: "sign-in", Result: AuditResult.Denied });
        Assert.Contains(entries, e => e is { User: "adam", Result: AuditResult.Denied } && e.Detail!.StartsWith("locked out", StringComparison.Ordinal));
        await using var admin = SignInApp();
        using var adminClient = admin.CreateClient(NoRedirects);
        await SignInAsync(adminClient, "ines", Password);
        var audit = await adminClient.GetStringAsync("/audit", Token);
        Assert.Contains("data-testid=\"audit-table\"", audit, StringComparison.Ordinal);
        Assert.Contains("ines", audit, StringComparison.Ordinal);
        Assert.Contains(">SignIn<", await adminClient.GetStringAsync("/settings", Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_IsRateLimitedPerAddress()
    {
        await using var app = SignInApp().WithSetting("BatchDashboard:Access:SignInsPerMinute", "3");
        using var client = app.CreateClient(NoRedirects);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await SignInAsync(client, "vera", "wrong")).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task ProxyHeaderMode_BelievesOnlyTheTrustedProxy_AndMapsItsGroupsToRoles()
    {
        await using var app = new DashboardAppFactory()
            .WithClientAddress(IPAddress.Parse("10.0.0.2"))
            .WithSetting("BatchDashboard:Access:Mode", "ProxyHeader")
            .WithSetting("BatchDashboard:Access:ProxyHeader:TrustedProxies:0", "10.0.0.2")
            .WithSetting("BatchDashboard:Access:Roles:Admin:0", "platform-admins");
        using var client = app.CreateClient(NoRedirects);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/batches", Token)).StatusCode); // no user header

        using var viewer = new HttpRequestMessage(HttpMethod.Get, "/settings");
        viewer.Headers.Add("X-Forwarded-User", "sam");
        viewer.Headers.Add("X-Forwarded-Groups", "viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(viewer, Token)).StatusCode);

        using var admin = new HttpRequestMessage(HttpMethod.Get, "/settings");
        admin.Headers.Add("X-Forwarded-User", "ana");
        admin.Headers.Add("X-Forwarded-Groups", "staff, platform-admins");
        using var settings = await client.SendAsync(admin, Token);
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        Assert.Contains("ProxyHeader", await settings.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);

        // The same headers from anywhere else prove nothing.
        await using var spoofed = new DashboardAppFactory()
            .WithClientAddress(IPAddress.Parse("10.0.0.66"))
            .WithSetting("BatchDashboard:Access:Mode", "ProxyHeader")
            .WithSetting("BatchDashboard:Access:ProxyHeader:TrustedProxies:0", "10.0.0.2");
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/api/batches");
        forged.Headers.Add("X-Forwarded-User", "ana");
        forged.Headers.Add("X-Forwarded-Groups", "admin");
        Assert.Equal(HttpStatusCode.Unauthorized, (await spoofed.CreateClient(NoRedirects).SendAsync(forged, Token)).StatusCode);
    }

    [Fact]
    public async Task JwtBearer_OpensTheJsonApi_WithTheTokensRoles_AndRefusesABadSignature()
    {
        const string Key = "a-signing-key-of-at-least-thirty-two-bytes!";
        await using var app = SignInApp()
            .WithSetting("BatchDashboard:Access:Jwt:SigningKeyName", "DASHBOARD_JWT_KEY")
            .WithSetting("BatchDashboard:Access:Jwt:Issuer", "https://login.example.com")
            .WithSetting("BatchDashboard:Access:Jwt:Audience", "batch-dashboard")
            .WithSetting("DASHBOARD_JWT_KEY", Key);
        using var client = app.CreateClient(NoRedirects);

        using var good = new HttpRequestMessage(HttpMethod.Get, "/api/batches");
        good.Headers.Authorization = new("Bearer", MakeToken(Key, "report-bot", "viewer"));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(good, Token)).StatusCode);

        using var noRole = new HttpRequestMessage(HttpMethod.Get, "/api/batches");
        noRole.Headers.Authorization = new("Bearer", MakeToken(Key, "stranger", null));
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(noRole, Token)).StatusCode);

        using var forged = new HttpRequestMessage(HttpMethod.Get, "/api/batches");
        forged.Headers.Authorization = new("Bearer", MakeToken("another-key-another-key-another-key!!", "report-bot", "admin"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(forged, Token)).StatusCode);

        static string MakeToken(string key, string subject, string? role)
        {
            var claims = new List<Claim> { new("sub", subject) };
            if (role is not null)
            {
                claims.Add(new Claim("roles", role));
            }

            var token = new JwtSecurityToken("https://login.example.com", "batch-dashboard", claims, expires: DateTime.UtcNow.AddMinutes(5),
                signingCredentials: new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256));
            return new JwtSecurityTokenHandler().WriteToken(token);
        }
    }

    [Fact]
    public async Task BadAccessConfiguration_StopsStartUp_NamingTheKey()
    {
        await using var app = new DashboardAppFactory()
            .WithSetting("BatchDashboard:Access:Mode", "SignIn")
            .WithSetting("BatchDashboard:Access:Users:0:Name", "vera")
            .WithSetting("BatchDashboard:Access:Users:0:Password", "hunter22")
            .WithSetting("BatchDashboard:Embedding:FrameAncestors:0", "portal.example.com; script-src *");

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var text = error.ToString();
        Assert.Contains("BatchDashboard:Access:Users:0:Password", text, StringComparison.Ordinal);
        Assert.Contains("BatchDashboard:Access:Users:0:PasswordHash", text, StringComparison.Ordinal);
        Assert.Contains("BatchDashboard:Embedding:FrameAncestors", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter22", text, StringComparison.Ordinal);
    }

    private static DashboardAppFactory SignInApp()
    {
        var app = new DashboardAppFactory().WithSetting("BatchDashboard:Access:Mode", "SignIn");
        var users = new[] { ("vera", "viewer"), ("otto", "operator"), ("ines", "admin"), ("adam", "admin") };
        for (var i = 0; i < users.Length; i++)
        {
            app.WithSetting($"BatchDashboard:Access:Users:{i}:Name", users[i].Item1)
                .WithSetting($"BatchDashboard:Access:Users:{i}:PasswordHash", DashboardSignIn.Hash(Password))
                .WithSetting($"BatchDashboard:Access:Users:{i}:Roles:0", users[i].Item2);
        }

        return app;
    }

    /// <summary>Fills in the sign-in form as a browser would: its antiforgery token, then the post.</summary>
    internal static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string name, string password, string returnUrl = "")
    {
        var form = await client.GetStringAsync("/signin", Token);
        return await client.PostAsync("/signin", SignInForm.Fill(form, name, password, returnUrl), Token);
    }
}
