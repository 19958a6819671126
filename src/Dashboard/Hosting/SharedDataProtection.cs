using System.Xml.Linq;
using BatchDashboard.Core.Cache;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Dashboard.Hosting;

/// <summary>
/// Instances that share a PostgreSQL cache share their data-protection keys through it (and one application name),
/// so a sign-in cookie, an antiforgery token or a reconnecting circuit made by one is read by another. The
/// framework's own database-backed repository is not in our package source; this is the small part of it we need.
/// </summary>
internal static class SharedDataProtection
{
    public static void AddSharedDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.GetValue<CacheProvider>($"{BatchCacheOptions.SectionName}:Provider") != CacheProvider.Postgres)
        {
            return;
        }

        services.AddDataProtection().SetApplicationName("BatchDashboard");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider =>
            new ConfigureOptions<KeyManagementOptions>(options => options.XmlRepository = new DatabaseXmlRepository(provider.GetRequiredService<SharedKeyStore>())));
    }

    private sealed class DatabaseXmlRepository(SharedKeyStore store) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements() => [.. store.GetAll().Select(xml => XElement.Parse(xml))];

        public void StoreElement(XElement element, string friendlyName) => store.Store(friendlyName, element.ToString(SaveOptions.DisableFormatting));
    }
}
