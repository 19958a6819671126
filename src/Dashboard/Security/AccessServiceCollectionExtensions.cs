using System.Net;
using System.Text;
using System.Threading.RateLimiting;
using BatchDashboard.Dashboard.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace BatchDashboard.Dashboard.Security;

internal static class AccessServiceCollectionExtensions
{
    /// <summary>What every dashboard needs, hosted or standalone: the role policies, the action gate, the audit.</summary>
    public static void AddDashboardAuthorization(this IServiceCollection services)
    {
        services.AddAuthorization(options =>
        {
            foreach (var role in new[] { DashboardRole.Viewer, DashboardRole.Operator, DashboardRole.Admin })
            {
                options.AddPolicy(DashboardPolicies.For(role), policy => policy.AddRequirements(new DashboardRoleRequirement(role)));
            }
        });
        services.AddSingleton<IAuthorizationHandler, DashboardRoleHandler>();
        services.AddCascadingAuthenticationState();
        services.AddSingleton<DashboardSignIn>();
        services.AddSingleton<ActionRateLimiter>();
        services.AddScoped<DashboardActions>();
        // Antiforgery adds X-Frame-Options: SAMEORIGIN; where sites may frame the dashboard, the CSP's
        // frame-ancestors says which (SecurityHeaders).
        services.AddOptions<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions>().Configure<IOptions<DashboardOptions>>((antiforgery, dashboard) =>
            antiforgery.SuppressXFrameOptionsHeader |= dashboard.Value.Embedding.FrameAncestors.Count > 0);
        // Sign-in attempts per address per minute (the dashboard's own pipeline applies it).
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(AccessEndpoints.SignInLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = Math.Max(1, context.RequestServices.GetRequiredService<IOptionsMonitor<DashboardOptions>>().CurrentValue.Access.SignInsPerMinute),
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
        });
    }

    /// <summary>
    /// The standalone app's sign-in ways for <see cref="AccessOptions.Mode"/> (local only by default), JWT bearer for
    /// the JSON API when configured, forwarded headers from trusted proxies, and the sign-in rate limit.
    /// </summary>
    public static void AddStandaloneAccess(this WebApplicationBuilder builder)
    {
        // Standalone, the default mode is Local: a default beneath every other configuration source, so the options
        // and the schemes chosen here read the same value.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = [new($"{DashboardOptions.SectionName}:Access:Mode", nameof(AccessMode.Local))],
        });
        var services = builder.Services;
        var section = builder.Configuration.GetSection(DashboardOptions.SectionName);
        var access = section.GetSection("Access").Get<AccessOptions>() ?? new AccessOptions();

        var modeScheme = access.Mode switch
        {
            AccessMode.SignIn => AccessSchemes.Cookie,
            AccessMode.ProxyHeader => AccessSchemes.ProxyHeader,
            _ => AccessSchemes.Local,
        };
        var authentication = services.AddAuthentication(AccessSchemes.Selector)
            .AddPolicyScheme(AccessSchemes.Selector, "Batch Dashboard", options => options.ForwardDefaultSelector = context =>
                access.Jwt.Enabled && context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? AccessSchemes.Bearer : modeScheme)
            .AddScheme<AuthenticationSchemeOptions, LocalAccessHandler>(AccessSchemes.Local, null)
            .AddScheme<AuthenticationSchemeOptions, ProxyHeaderHandler>(AccessSchemes.ProxyHeader, null)
            .AddCookie(AccessSchemes.Cookie, options =>
            {
                options.Cookie.Name = "BatchDashboard.Auth";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.SlidingExpiration = true;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.Events.OnRedirectToLogin = context => Challenge(context, BatchDashboard.Dashboard.Model.DashboardUrls.SignIn, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => Challenge(context, null, StatusCodes.Status403Forbidden);
            });
        if (access.Jwt.Enabled)
        {
            authentication.AddJwtBearer(AccessSchemes.Bearer, options =>
            {
                options.MapInboundClaims = false;
                options.Authority = access.Jwt.Authority;
                options.Audience = access.Jwt.Audience;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = access.Jwt.Issuer is { Length: > 0 },
                    ValidIssuer = access.Jwt.Issuer,
                    ValidateAudience = access.Jwt.Audience is { Length: > 0 },
                    ValidAudience = access.Jwt.Audience,
                    NameClaimType = "sub",
                    RoleClaimType = "roles",
                };
                if (access.Jwt.SigningKeyName is { Length: > 0 } keyName && builder.Configuration[keyName] is { Length: > 0 } key)
                {
                    options.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key));
                }
            });
        }

        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost | ForwardedHeaders.XForwardedPrefix;
            foreach (var proxy in section.GetSection("Proxy:KnownProxies").Get<string[]>() ?? [])
            {
                if (IPAddress.TryParse(proxy, out var address))
                {
                    options.KnownProxies.Add(address);
                }
            }
        });

    }

    /// <summary>A browser asking for a page goes to the sign-in page; the JSON API and scripts get the status.</summary>
    private static Task Challenge(RedirectContext<CookieAuthenticationOptions> context, string? page, int status)
    {
        if (page is not null && AccessResponses.WantsPage(context.Request))
        {
            var back = context.Request.Path.Value?.TrimStart('/') + context.Request.QueryString;
            context.Response.Redirect($"{context.Request.PathBase}/{page}?returnUrl={Uri.EscapeDataString(back)}");
            return Task.CompletedTask;
        }

        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }
}

/// <summary>Refuses at start-up an access configuration that would not work or would not be safe, naming the key.</summary>
internal sealed class DashboardOptionsValidator : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var problems = new List<string>();
        var access = options.Access;
        const string Key = "BatchDashboard:Access";
        for (var i = 0; i < access.Users.Count; i++)
        {
            var user = access.Users[i];
            if (user.Password is { Length: > 0 })
            {
                problems.Add($"{Key}:Users:{i}:Password: passwords are never kept in configuration; put the hash from `dotnet run --project src/Server -- hash-password` in PasswordHash.");
            }

            if (user.Name.Trim().Length == 0)
            {
                problems.Add($"{Key}:Users:{i}:Name is empty.");
            }

            if (!user.PasswordHash.StartsWith("AQAAAA", StringComparison.Ordinal))
            {
                problems.Add($"{Key}:Users:{i}:PasswordHash is not a password hash (make one with `dotnet run --project src/Server -- hash-password`).");
            }
        }

        if (access.Mode == AccessMode.SignIn && access.Users.Count == 0)
        {
            problems.Add($"{Key}:Mode is SignIn, but {Key}:Users lists nobody.");
        }

        if (access.Mode == AccessMode.ProxyHeader && !access.ProxyHeader.TrustedProxies.Any(p => IPAddress.TryParse(p, out _)))
        {
            problems.Add($"{Key}:Mode is ProxyHeader, but {Key}:ProxyHeader:TrustedProxies names no proxy address: anyone could claim to be anyone.");
        }

        foreach (var bad in access.ProxyHeader.TrustedProxies.Where(p => !IPAddress.TryParse(p, out _)))
        {
            problems.Add($"{Key}:ProxyHeader:TrustedProxies: '{bad}' is not an IP address.");
        }

        foreach (var origin in options.Embedding.FrameAncestors)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.PathAndQuery != "/" || origin.Any(char.IsWhiteSpace) || origin.Contains(';', StringComparison.Ordinal))
            {
                problems.Add($"BatchDashboard:Embedding:FrameAncestors: '{origin}' is not an origin such as https://portal.example.com.");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
