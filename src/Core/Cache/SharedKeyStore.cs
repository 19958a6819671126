using Microsoft.EntityFrameworkCore;

namespace BatchDashboard.Core.Cache;

/// <summary>
/// Keys kept in the cache database for instances that share it: ASP.NET Core's data-protection key ring, so that
/// the cookies, antiforgery tokens and circuit ids one instance protects, another can read.
/// </summary>
public sealed class SharedKeyStore
{
    private readonly IDbContextFactory<BatchCacheDbContext> _contexts;

    internal SharedKeyStore(IDbContextFactory<BatchCacheDbContext> contexts) => _contexts = contexts;

    /// <summary>Every stored key, as the XML it was given in, oldest first.</summary>
    public IReadOnlyList<string> GetAll()
    {
        using var context = _contexts.CreateDbContext();
        return [.. context.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml)];
    }

    public void Store(string friendlyName, string xml)
    {
        using var context = _contexts.CreateDbContext();
        context.DataProtectionKeys.Add(new DataProtectionKeyRecord { FriendlyName = friendlyName, Xml = xml });
        context.SaveChanges();
    }
}
