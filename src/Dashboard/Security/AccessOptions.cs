namespace BatchDashboard.Dashboard.Security;

/// <summary>Who can reach the dashboard when it runs on its own (<c>BatchDashboard:Access:Mode</c>).</summary>
public enum AccessMode
{
    /// <summary>Requests from this machine only, each with every role: the default, for one person's laptop.</summary>
    Local,

    /// <summary>A sign-in page with the users listed in <c>BatchDashboard:Access:Users</c> (hashed passwords).</summary>
    SignIn,

    /// <summary>The user and groups come in headers set by a trusted reverse proxy (one of <c>TrustedProxies</c>).</summary>
    ProxyHeader,

    /// <summary>Embedded in a host app: the host signs people in; its users' roles are mapped by <c>Roles</c>.</summary>
    Host,
}

/// <summary>What a person may do: each role includes the ones before it.</summary>
public enum DashboardRole
{
    None,

    /// <summary>Reads every page, the JSON API and the downloads; may refresh a batch and index its results.</summary>
    Viewer,

    /// <summary>Also cancels, retries and creates batches.</summary>
    Operator,

    /// <summary>Also sees the connections, settings and the audit log.</summary>
    Admin,
}

/// <summary>The <c>BatchDashboard:Access</c> section.</summary>
public sealed class AccessOptions
{
    public AccessMode? Mode { get; set; }

    /// <summary>The users of <see cref="AccessMode.SignIn"/>: a name, a password hash (never the password), roles.</summary>
    public List<DashboardUserOptions> Users { get; set; } = [];

    public LockoutOptions Lockout { get; set; } = new();

    public ProxyHeaderOptions ProxyHeader { get; set; } = new();

    public JwtOptions Jwt { get; set; } = new();

    /// <summary>Which role or group names (claims of type role, <c>roles</c> or <c>groups</c>) grant each role.</summary>
    public RoleNameOptions Roles { get; set; } = new();

    /// <summary>The role of a signed-in user whose names grant none (<see cref="DashboardRole.None"/>: refused).</summary>
    public DashboardRole DefaultRole { get; set; } = DashboardRole.None;

    /// <summary>Actions per user per minute (cancel, retry, create, refresh), and sign-in attempts per address per minute.</summary>
    public int ActionsPerMinute { get; set; } = 30;

    public int SignInsPerMinute { get; set; } = 10;
}

public sealed class DashboardUserOptions
{
    public string Name { get; set; } = "";

    /// <summary>Made by <c>dotnet run --project src/Server -- hash-password</c> (PBKDF2, as ASP.NET Core Identity hashes).</summary>
    public string PasswordHash { get; set; } = "";

    /// <summary>Rejected by validation: a password in configuration would be readable by anyone who reads the file.</summary>
    public string? Password { get; set; }

    public List<string> Roles { get; set; } = [];
}

public sealed class LockoutOptions
{
    public int MaxFailures { get; set; } = 5;

    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);
}

public sealed class ProxyHeaderOptions
{
    public string UserHeader { get; set; } = "X-Forwarded-User";

    /// <summary>Comma-separated group names.</summary>
    public string GroupsHeader { get; set; } = "X-Forwarded-Groups";

    /// <summary>The proxies' addresses; a request from any other address is refused, whatever its headers say.</summary>
    public List<string> TrustedProxies { get; set; } = [];
}

/// <summary>JWT bearer tokens for the JSON API (<c>Authorization: Bearer ...</c>), beside whatever signs people in.</summary>
public sealed class JwtOptions
{
    /// <summary>An OpenID Connect issuer whose keys are fetched (<c>https://login.example.com/</c>).</summary>
    public string? Authority { get; set; }

    public string? Issuer { get; set; }

    public string? Audience { get; set; }

    /// <summary>Or a shared HMAC key: the name of the environment variable or user-secret that holds it.</summary>
    public string? SigningKeyName { get; set; }

    public bool Enabled => Authority is { Length: > 0 } || SigningKeyName is { Length: > 0 };
}

/// <summary>Empty lists mean the role's own name (<c>viewer</c>, <c>operator</c>, <c>admin</c>).</summary>
public sealed class RoleNameOptions
{
    // Empty by default: the configuration binder appends to a list's items instead of replacing them.
    public List<string> Viewer { get; set; } = [];

    public List<string> Operator { get; set; } = [];

    public List<string> Admin { get; set; } = [];

    public IReadOnlyList<string> NamesOf(DashboardRole role)
    {
        var names = role switch
        {
            DashboardRole.Viewer => Viewer,
            DashboardRole.Operator => Operator,
            DashboardRole.Admin => Admin,
            _ => [],
        };
        return names.Count > 0 || role == DashboardRole.None ? names : [role.ToString().ToLowerInvariant()];
    }
}
