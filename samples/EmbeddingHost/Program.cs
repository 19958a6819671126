using System.Security.Claims;
using BatchDashboard.Dashboard.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace BatchDashboard.Samples.EmbeddingHost;

/// <summary>
/// A company portal ("Acme Portal") with its own pages and sign-in, which adds the dashboard under
/// <c>/admin/batches</c> and lets only its staff in. Run: <c>dotnet run --project samples/EmbeddingHost</c>, open
/// http://localhost:5180/, sign in as a viewer or an operator, and follow the link to the dashboard.
/// </summary>
public sealed class HostProgram
{
    public const string StaffPolicy = "portal-staff";
    public const string DashboardPath = "/admin/batches";

    public static void Main(string[] args) => Build(args).Run();

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.UseStaticWebAssets();

        // The portal's own sign-in (a cookie); a real portal would use OpenID Connect or Windows sign-in.
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options => options.LoginPath = "/login");
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(StaffPolicy, policy => policy.RequireAuthenticatedUser().RequireClaim("department", "staff"));

        // The dashboard: its settings from the "BatchDashboard" section, and what the portal wants in code. The
        // portal's roles "batch-viewers" and "batch-operators" map onto the dashboard's own.
        builder.Services.AddBatchDashboard(builder.Configuration, options =>
        {
            options.Title = "Acme Portal · Batches";
            options.AppPath = "/";
            options.AppPathLabel = "Acme Portal";
            options.Access.Roles.Viewer = ["batch-viewers"];
            options.Access.Roles.Operator = ["batch-operators"];
        });

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapGet("/", (HttpContext context) => Results.Content(HomePage(context.User), "text/html; charset=utf-8"));
        app.MapGet("/login", () => Results.Content(LoginPage, "text/html; charset=utf-8"));
        // A pretend sign-in, to try the roles: /login/as?name=ada&role=batch-operators
        app.MapGet("/login/as", async (HttpContext context, string name, string? role, string? returnUrl) =>
        {
            var claims = new List<Claim> { new(ClaimTypes.Name, name), new("department", "staff") };
            if (role is { Length: > 0 })
            {
                claims.Add(new Claim(ClaimTypes.Role, role));
            }

            await context.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
            return Results.LocalRedirect(returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) ? returnUrl : "/");
        });

        app.MapBatchDashboard(DashboardPath).RequireAuthorization(StaffPolicy);
        return app;
    }

    private static string HomePage(ClaimsPrincipal user) => $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Acme Portal</title></head>
        <body>
          <h1>Acme Portal</h1>
          <p>{{(user.Identity?.IsAuthenticated == true ? $"Signed in as {System.Net.WebUtility.HtmlEncode(user.Identity.Name)}." : "Not signed in.")}}</p>
          <p><a href="{{DashboardPath}}/">Batch jobs</a></p>
        </body></html>
        """;

    private const string LoginPage = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Sign in · Acme Portal</title></head>
        <body>
          <h1>Sign in to Acme Portal</h1>
          <p><a href="/login/as?name=vera&amp;role=batch-viewers">As Vera, who may look at batches</a></p>
          <p><a href="/login/as?name=otto&amp;role=batch-operators">As Otto, who may also cancel, retry and create them</a></p>
        </body></html>
        """;
}
