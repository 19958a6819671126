using BatchDashboard.Core.Api;
using BatchDashboard.Core.Connections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Core.Tests.Support;

/// <summary>Core's real services (client, handlers, options) wired as the app wires them, over test settings.</summary>
public static class TestClients
{
    /// <summary>Fast retries, so retry tests take milliseconds; the rules under test stay the same.</summary>
    public static readonly Dictionary<string, string?> FastRetries = new()
    {
        ["BatchDashboard:Api:BaseDelay"] = "00:00:00.001",
        ["BatchDashboard:Api:MaxDelay"] = "00:00:00.005",
        ["BatchDashboard:Api:AttemptTimeout"] = "00:00:05",
    };

    public static ServiceProvider Services(Dictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var all = new Dictionary<string, string?>(FastRetries);
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var services = new ServiceCollection().AddLogging();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        return services.AddBatchCore(configuration).BuildServiceProvider();
    }

    public static ApiConnection Connection(Uri baseUrl, ConnectionKind kind = ConnectionKind.OpenAI, string? apiVersion = null,
        string? organization = null, string? project = null, string id = "test") => new()
    {
        Id = id,
        Name = "Test",
        Kind = kind,
        BaseUrl = baseUrl,
        ApiKey = "sk-test-key",
        ApiVersion = apiVersion,
        Organization = organization,
        Project = project,
    };

    public static IBatchApiClient Client(ServiceProvider services, ApiConnection connection) =>
        services.GetRequiredService<IBatchApiClientFactory>().Create(connection);
}
