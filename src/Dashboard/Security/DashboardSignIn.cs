using System.Collections.Concurrent;
using BatchDashboard.Dashboard.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Dashboard.Security;

public enum SignInOutcome
{
    SignedIn,
    Wrong,
    LockedOut,
}

/// <summary>
/// Checks a name and password against <c>BatchDashboard:Access:Users</c> (PBKDF2 hashes, as ASP.NET Core Identity
/// makes them) and locks a name out after too many wrong passwords in a row.
/// </summary>
public sealed class DashboardSignIn(IOptionsMonitor<DashboardOptions> options, TimeProvider time)
{
    private static readonly PasswordHasher<string> Hasher = new();

    // Verified when the name is unknown, so a wrong name takes as long as a wrong password.
    private static readonly string DecoyHash = Hasher.HashPassword("", Guid.NewGuid().ToString());

    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.OrdinalIgnoreCase);

    public static string Hash(string password) => Hasher.HashPassword("", password);

    public (SignInOutcome Outcome, DashboardUserOptions? User, DateTimeOffset? LockedUntil) Check(string name, string password)
    {
        var access = options.CurrentValue.Access;
        var now = time.GetUtcNow();
        if (_failures.TryGetValue(name, out var failures) && failures.LockedUntil > now)
        {
            return (SignInOutcome.LockedOut, null, failures.LockedUntil);
        }

        var user = access.Users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.OrdinalIgnoreCase));
        var result = Hasher.VerifyHashedPassword("", user?.PasswordHash is { Length: > 0 } hash ? hash : DecoyHash, password);
        if (user is not null && result is PasswordVerificationResult.Success or PasswordVerificationResult.SuccessRehashNeeded)
        {
            _failures.TryRemove(name, out _);
            return (SignInOutcome.SignedIn, user, null);
        }

        var updated = _failures.AddOrUpdate(name,
            _ => new Failures(1, null),
            (_, old) => new Failures(old.LockedUntil <= now ? 1 : old.Count + 1, null));
        if (updated.Count >= access.Lockout.MaxFailures)
        {
            var until = now + access.Lockout.Duration;
            _failures[name] = new Failures(0, until);
            return (SignInOutcome.LockedOut, null, until);
        }

        return (SignInOutcome.Wrong, null, null);
    }

    private sealed record Failures(int Count, DateTimeOffset? LockedUntil);
}
