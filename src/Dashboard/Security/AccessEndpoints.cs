using System.Security.Claims;
using BatchDashboard.Core.Audit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace BatchDashboard.Dashboard.Security;

/// <summary>The sign-in form's target and sign-out, for <see cref="AccessMode.SignIn"/>.</summary>
public static class AccessEndpoints
{
    public const string SignInLimit = "BatchDashboard.SignIn";

    internal static void MapAccessEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // Form posts: antiforgery is checked for every [FromForm] endpoint once UseAntiforgery is in the pipeline.
        endpoints.MapPost("/signin", SignInAsync).AllowAnonymous().RequireRateLimiting(SignInLimit).DisableRequestTimeout();
        endpoints.MapPost("/signout", SignOutAsync);
    }

    private static async Task<IResult> SignInAsync(
        HttpContext context,
        [FromForm] string? name,
        [FromForm] string? password,
        [FromForm] string? returnUrl,
        DashboardSignIn signIn,
        IAuditLog audit,
        Microsoft.Extensions.Options.IOptionsMonitor<Hosting.DashboardOptions> options)
    {
        name = (name ?? "").Trim();
        var back = SafeReturn(returnUrl);
        if (options.CurrentValue.Access.Mode != AccessMode.SignIn)
        {
            return Results.NotFound();
        }

        var (outcome, user, lockedUntil) = signIn.Check(name, password ?? "");
        await audit.WriteAsync(name.Length == 0 ? "anonymous" : name, "sign-in", null, null,
            outcome == SignInOutcome.SignedIn ? AuditResult.Succeeded : AuditResult.Denied,
            outcome switch
            {
                SignInOutcome.LockedOut => $"locked out until {lockedUntil:u}",
                SignInOutcome.Wrong => "wrong name or password",
                _ => null,
            },
            context.RequestAborted);
        if (user is null)
        {
            var error = outcome == SignInOutcome.LockedOut ? "locked" : "wrong";
            return Results.LocalRedirect($"{context.Request.PathBase}/signin?error={error}&returnUrl={Uri.EscapeDataString(back)}");
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, user.Name) };
        claims.AddRange(user.Roles.Select(role => new Claim(ClaimTypes.Role, role)));
        await context.SignInAsync(AccessSchemes.Cookie, new ClaimsPrincipal(new ClaimsIdentity(claims, AccessSchemes.Cookie)));
        return Results.LocalRedirect($"{context.Request.PathBase}/{back}");
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IAuditLog audit)
    {
        await audit.WriteAsync(DashboardRoles.NameOf(context.User), "sign-out", null, null, AuditResult.Succeeded, null, context.RequestAborted);
        await context.SignOutAsync(AccessSchemes.Cookie);
        return Results.LocalRedirect($"{context.Request.PathBase}/signin");
    }

    /// <summary>Only a path inside the dashboard (relative to its base), so the form cannot redirect elsewhere.</summary>
    public static string SafeReturn(string? returnUrl)
    {
        var value = (returnUrl ?? "").TrimStart('/');
        var path = value.Split('?', 2)[0];
        return path.Contains("//", StringComparison.Ordinal) || value.Contains('\\', StringComparison.Ordinal) || path.Contains(':', StringComparison.Ordinal)
            ? "" : value;
    }
}
