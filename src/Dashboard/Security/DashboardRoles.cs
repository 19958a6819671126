using System.Security.Claims;
using BatchDashboard.Dashboard.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Dashboard.Security;

/// <summary>The dashboard's three policies, one per role; every endpoint and action names one of them.</summary>
public static class DashboardPolicies
{
    public const string Viewer = "BatchDashboard.Viewer";
    public const string Operator = "BatchDashboard.Operator";
    public const string Admin = "BatchDashboard.Admin";

    public static string For(DashboardRole role) => role switch
    {
        DashboardRole.Operator => Operator,
        DashboardRole.Admin => Admin,
        _ => Viewer,
    };
}

/// <summary>Reads a person's role from their claims: the one place the role names of every sign-in way meet.</summary>
public static class DashboardRoles
{
    /// <summary>A claim the dashboard's own sign-in ways set directly (local access).</summary>
    public const string ClaimType = "batchdashboard/role";

    private static readonly string[] NameClaimTypes = [ClaimTypes.Role, "role", "roles", "groups"];

    public static DashboardRole Of(ClaimsPrincipal? user, AccessOptions access)
    {
        if (user?.Identities.Any(i => i.IsAuthenticated) != true)
        {
            return DashboardRole.None;
        }

        var direct = user.FindAll(ClaimType).Select(c => Enum.TryParse<DashboardRole>(c.Value, ignoreCase: true, out var r) ? r : DashboardRole.None);
        var names = user.Claims
            .Where(c => NameClaimTypes.Contains(c.Type, StringComparer.Ordinal) || user.Identities.Any(i => i.RoleClaimType == c.Type))
            .Select(c => c.Value)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var mapped = new[] { DashboardRole.Admin, DashboardRole.Operator, DashboardRole.Viewer }
            .FirstOrDefault(role => access.Roles.NamesOf(role).Any(names.Contains));
        var best = direct.Append(mapped).Max();
        return best == DashboardRole.None ? access.DefaultRole : best;
    }

    /// <summary>The name shown in the audit log.</summary>
    public static string NameOf(ClaimsPrincipal? user) =>
        user?.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : "anonymous";
}

internal sealed record DashboardRoleRequirement(DashboardRole Role) : IAuthorizationRequirement;

internal sealed class DashboardRoleHandler(IOptionsMonitor<DashboardOptions> options) : AuthorizationHandler<DashboardRoleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, DashboardRoleRequirement requirement)
    {
        if (DashboardRoles.Of(context.User, options.CurrentValue.Access) >= requirement.Role)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
