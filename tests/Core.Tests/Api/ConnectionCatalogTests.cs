using BatchDashboard.Core.Connections;
using BatchDashboard.Core.Sync;
using Microsoft.Extensions.Configuration;

namespace BatchDashboard.Core.Tests.Api;

public sealed class ConnectionCatalogTests
{
    private static List<ApiConnection> Resolve(Dictionary<string, string?> settings, out List<string> problems)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var entries = configuration.GetSection(ConnectionListOptions.SectionName).Get<List<ConnectionOptions>>() ?? [];
        return ConnectionCatalog.Resolve(configuration, entries, out problems);
    }

    [Fact]
    public void OpenAIEnvironmentVariables_MakeTheDefaultConnection()
    {
        var connections = Resolve(new()
        {
            ["OPENAI_API_KEY"] = "sk-abc",
            ["OPENAI_ORG_ID"] = "org-1",
            ["OPENAI_PROJECT_ID"] = "proj-1",
        }, out var problems);

        Assert.Empty(problems);
        var connection = Assert.Single(connections);
        Assert.Equal(("openai", ConnectionKind.OpenAI, "https://api.openai.com/v1", "sk-abc", "org-1", "proj-1"),
            (connection.Id, connection.Kind, connection.BaseUrl.ToString().TrimEnd('/'), connection.ApiKey, connection.Organization, connection.Project));
        Assert.DoesNotContain("sk-abc", connection.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void WebhookSecrets_ComeFromOpenAIsVariable_OrANamedOne_AndNeverFromTheList_NorIntoAProblem()
    {
        const string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        var connections = Resolve(new()
        {
            ["OPENAI_API_KEY"] = "sk-abc",
            ["OPENAI_WEBHOOK_SECRET"] = secret,
            ["AZURE_KEY"] = "az-key",
            ["AZURE_HOOKS"] = secret[6..],
            ["BatchDashboard:Connections:0:Id"] = "azure",
            ["BatchDashboard:Connections:0:Kind"] = "Azure",
            ["BatchDashboard:Connections:0:BaseUrl"] = "https://x.openai.azure.com/openai/v1",
            ["BatchDashboard:Connections:0:ApiKeyName"] = "AZURE_KEY",
            ["BatchDashboard:Connections:0:WebhookSecretName"] = "AZURE_HOOKS",
        }, out var problems);
        Assert.Empty(problems);
        Assert.All(connections, c => Assert.Equal(24, c.WebhookKey!.Length));

        Resolve(new()
        {
            ["OPENAI_API_KEY"] = "sk-abc",
            ["OPENAI_WEBHOOK_SECRET"] = "sk-pasted-the-api-key-by-mistake",
            ["AZURE_KEY"] = "az-key",
            ["BatchDashboard:Connections:0:Id"] = "azure",
            ["BatchDashboard:Connections:0:Kind"] = "Azure",
            ["BatchDashboard:Connections:0:BaseUrl"] = "https://x.openai.azure.com/openai/v1",
            ["BatchDashboard:Connections:0:ApiKeyName"] = "AZURE_KEY",
            ["BatchDashboard:Connections:0:WebhookSecret"] = secret,
            ["BatchDashboard:Connections:0:WebhookSecretName"] = "AZURE_HOOKS",
        }, out problems);
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("OPENAI_WEBHOOK_SECRET: ", StringComparison.Ordinal) && p.Contains("whsec_", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("BatchDashboard:Connections:0:WebhookSecret must not hold a secret", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("names 'AZURE_HOOKS', which is not set", StringComparison.Ordinal));
        Assert.All(problems, p => Assert.DoesNotContain("pasted", p, StringComparison.Ordinal));
        Assert.All(problems, p => Assert.DoesNotContain(secret[6..], p, StringComparison.Ordinal));
    }

    [Fact]
    public void AConnectionAddedAtRunTime_IsListedAndFound_ButNotTwice()
    {
        var catalog = new ConnectionCatalog([]);
        var demo = new ApiConnection { Id = "demo", Name = "Demo", Kind = ConnectionKind.Compatible, BaseUrl = new Uri("http://127.0.0.1:1/v1"), ApiKey = "sk-demo", IsDemo = true };

        catalog.Add(demo);

        Assert.Same(demo, Assert.Single(catalog.Connections));
        Assert.Same(demo, catalog.Find("DEMO"));
        Assert.Throws<InvalidOperationException>(() => catalog.Add(demo));
    }

    [Fact]
    public void NoKey_MeansNoConnection()
    {
        Assert.Empty(Resolve(new(), out var problems));
        Assert.Empty(problems);
    }

    [Fact]
    public void ListedConnections_ReadTheirKeyFromTheNamedVariable()
    {
        var connections = Resolve(new()
        {
            ["AZURE_KEY"] = "azure-secret",
            ["BatchDashboard:Connections:0:Id"] = "azure-eu",
            ["BatchDashboard:Connections:0:Name"] = "Azure EU",
            ["BatchDashboard:Connections:0:Kind"] = "Azure",
            ["BatchDashboard:Connections:0:BaseUrl"] = "https://eu.openai.azure.com/openai",
            ["BatchDashboard:Connections:0:ApiVersion"] = "2024-10-21",
            ["BatchDashboard:Connections:0:ApiKeyName"] = "AZURE_KEY",
        }, out var problems);

        Assert.Empty(problems);
        var connection = Assert.Single(connections);
        Assert.Equal(("azure-eu", "Azure EU", ConnectionKind.Azure, "azure-secret", "2024-10-21"),
            (connection.Id, connection.Name, connection.Kind, connection.ApiKey, connection.ApiVersion));
    }

    [Fact]
    public void BadConfiguration_ReportsEveryProblemAtOnce_NamingEachKey()
    {
        Resolve(new()
        {
            ["OPENAI_API_KEY"] = "sk-abc",
            ["OPENAI_BASE_URL"] = "not a url",
            ["BatchDashboard:Connections:0:Id"] = "has space",
            ["BatchDashboard:Connections:0:Kind"] = "Compatible",
            ["BatchDashboard:Connections:0:ApiKey"] = "sk-literal",
            ["BatchDashboard:Connections:1:Id"] = "az",
            ["BatchDashboard:Connections:1:Kind"] = "Azure",
            ["BatchDashboard:Connections:1:BaseUrl"] = "https://x.openai.azure.com/openai",
            ["BatchDashboard:Connections:1:ApiKeyName"] = "MISSING_VARIABLE",
        }, out var problems);

        Assert.Contains(problems, p => p.StartsWith("OPENAI_BASE_URL:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("BatchDashboard:Connections:0:Id", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("BatchDashboard:Connections:0:ApiKey must not", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("BatchDashboard:Connections:0:ApiKeyName is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("BatchDashboard:Connections:0:BaseUrl is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'MISSING_VARIABLE', which is not set", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("BatchDashboard:Connections:1:ApiVersion is required", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("sk-literal", StringComparison.Ordinal));
    }

    [Fact]
    public void BadSyncSettings_AreRefused_EachNamingItsKey()
    {
        var result = new SyncOptionsValidator().Validate(null, new SyncOptions { PageSize = 500, IdlePollInterval = TimeSpan.Zero });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, p => p.StartsWith("BatchDashboard:Sync:PageSize", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, p => p.StartsWith("BatchDashboard:Sync:IdlePollInterval", StringComparison.Ordinal));
    }
}
