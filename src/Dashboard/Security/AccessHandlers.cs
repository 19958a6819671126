using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using BatchDashboard.Dashboard.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Dashboard.Security;

internal static class AccessSchemes
{
    public const string Local = "BatchDashboard.Local";
    public const string ProxyHeader = "BatchDashboard.ProxyHeader";
    public const string Cookie = "BatchDashboard.Cookie";
    public const string Bearer = "BatchDashboard.Bearer";

    /// <summary>Picks Bearer when the request carries a token, and the mode's own scheme otherwise.</summary>
    public const string Selector = "BatchDashboard";
}

/// <summary>
/// The address the request came from on the socket, before forwarded headers replace it with the client's: the
/// proxy-header mode trusts headers only from a proxy's own address.
/// </summary>
internal static class PeerAddress
{
    private static readonly object Key = new();

    public static IApplicationBuilder UsePeerAddress(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Items[Key] = context.Connection.RemoteIpAddress;
        return next(context);
    });

    public static IPAddress? Of(HttpContext context) => context.Items.TryGetValue(Key, out var value) ? value as IPAddress : context.Connection.RemoteIpAddress;
}

/// <summary>
/// <see cref="AccessMode.Local"/>: a request from this machine is its owner, with every role; any other is refused.
/// A request that a proxy forwarded without being one the app trusts (its <c>X-Forwarded-For</c> left unread) is
/// not local, even though it arrives on loopback.
/// </summary>
internal sealed class LocalAccessHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string UserName = "local";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var address = Context.Connection.RemoteIpAddress;
        if (address is null || !IPAddress.IsLoopback(address) || Request.Headers.ContainsKey("X-Forwarded-For"))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, UserName), new Claim(DashboardRoles.ClaimType, nameof(DashboardRole.Admin))], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        AccessResponses.RefuseAsync(Context, StatusCodes.Status403Forbidden, AccessResponses.LocalOnly);
}

/// <summary>
/// <see cref="AccessMode.ProxyHeader"/>: the user and groups come from headers, believed only when the request's
/// socket peer is one of <see cref="ProxyHeaderOptions.TrustedProxies"/>.
/// </summary>
internal sealed class ProxyHeaderHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<DashboardOptions> dashboard) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var settings = dashboard.CurrentValue.Access.ProxyHeader;
        var peer = PeerAddress.Of(Context);
        if (peer is null || !settings.TrustedProxies.Any(p => IPAddress.TryParse(p, out var trusted) && Same(trusted, peer)))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var user = Request.Headers[settings.UserHeader].ToString().Trim();
        if (user.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, user) };
        claims.AddRange(Request.Headers[settings.GroupsHeader].ToString()
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(group => new Claim(ClaimTypes.Role, group)));
        var identity = new ClaimsIdentity(claims, Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        AccessResponses.RefuseAsync(Context, StatusCodes.Status401Unauthorized, AccessResponses.ProxyOnly);

    private static bool Same(IPAddress a, IPAddress b) =>
        (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(b.IsIPv4MappedToIPv6 ? b.MapToIPv4() : b);
}

/// <summary>How a refusal is answered: a page for a browser (the status page says why), JSON for everything else.</summary>
public static class AccessResponses
{
    public const string LocalOnly =
        "This dashboard answers requests from its own machine only (BatchDashboard:Access:Mode is Local). Set another access mode to share it.";

    public const string ProxyOnly =
        "Sign in through the company proxy: this dashboard takes its users from the proxy's headers only.";

    /// <summary>JSON with the reason for the API and scripts; no body for a page load, which the status page fills.</summary>
    public static async Task RefuseAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        if (!WantsPage(context.Request))
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsJsonAsync(Api.ApiErrorDetail.For(status, message), Api.DashboardApiJson.Default.ApiErrorResource);
        }
    }

    /// <summary>A browser loading a page (it accepts HTML), not a call to the JSON API.</summary>
    public static bool WantsPage(HttpRequest request) =>
        !request.Path.StartsWithSegments("/api")
        && request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);
}
