using BatchDashboard.Core.Notifications;
using Microsoft.Extensions.Configuration;

namespace BatchDashboard.Core.Tests.Notifications;

/// <summary>Channels and rules from configuration: secrets named, never written there, and never quoted back in a problem.</summary>
public sealed class NotificationOptionsTests
{
    private static List<string> Problems(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = configuration.GetSection(NotificationOptions.SectionName).Get<NotificationOptions>() ?? new NotificationOptions();
        NotificationSettings.Resolve(configuration, options, out var problems);
        return problems;
    }

    [Fact]
    public void GoodSettings_HaveNoProblems_AndSecretsComeFromTheNamedVariables()
    {
        var settings = new Dictionary<string, string?>
        {
            ["SLACK_URL"] = "https://hooks.slack.com/services/T1/B2/secret-part",
            ["SMTP_PASSWORD"] = "hunter2",
            ["BatchDashboard:Notifications:Channels:0:Id"] = "chat",
            ["BatchDashboard:Notifications:Channels:0:Kind"] = "Slack",
            ["BatchDashboard:Notifications:Channels:0:UrlName"] = "SLACK_URL",
            ["BatchDashboard:Notifications:Channels:1:Id"] = "mail",
            ["BatchDashboard:Notifications:Channels:1:Kind"] = "Email",
            ["BatchDashboard:Notifications:Channels:1:Host"] = "smtp.example.com",
            ["BatchDashboard:Notifications:Channels:1:UserName"] = "batches",
            ["BatchDashboard:Notifications:Channels:1:PasswordName"] = "SMTP_PASSWORD",
            ["BatchDashboard:Notifications:Channels:1:From"] = "batches@example.com",
            ["BatchDashboard:Notifications:Channels:1:To:0"] = "oncall@example.com",
            ["BatchDashboard:Notifications:Rules:0:Name"] = "failures",
            ["BatchDashboard:Notifications:Rules:0:When:0"] = "failed",
            ["BatchDashboard:Notifications:Rules:0:When:1"] = "expiring_soon",
            ["BatchDashboard:Notifications:Rules:0:Channels:0"] = "chat",
            ["BatchDashboard:Notifications:Rules:0:Channels:1"] = "mail",
        };
        Assert.Empty(Problems(settings));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var channels = NotificationSettings.Resolve(configuration, configuration.GetSection(NotificationOptions.SectionName).Get<NotificationOptions>()!, out _);
        Assert.Equal("Slack (hooks.slack.com)", channels[0].Describe());
        Assert.DoesNotContain("secret-part", channels[0].ToString(), StringComparison.Ordinal);
        Assert.Equal("hunter2", channels[1].Password);
        Assert.DoesNotContain("hunter2", channels[1].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void BadSettings_AreEachSaid_WithTheirKeys_AndNoSecretIsQuoted()
    {
        var problems = Problems(new()
        {
            ["SLACK_URL"] = "not-an-address-but-secret-part",
            ["BatchDashboard:Notifications:Channels:0:Id"] = "chat",
            ["BatchDashboard:Notifications:Channels:0:Kind"] = "Slack",
            ["BatchDashboard:Notifications:Channels:0:UrlName"] = "SLACK_URL",
            ["BatchDashboard:Notifications:Channels:1:Id"] = "mail",
            ["BatchDashboard:Notifications:Channels:1:Kind"] = "Email",
            ["BatchDashboard:Notifications:Channels:1:Password"] = "hunter2",
            ["BatchDashboard:Notifications:Channels:1:From"] = "nobody",
            ["BatchDashboard:Notifications:Rules:0:When:0"] = "exploded",
            ["BatchDashboard:Notifications:Rules:0:Channels:0"] = "pager",
            ["BatchDashboard:Notifications:Rules:0:Metadata"] = "team",
        });
        string[] expected =
        [
            "BatchDashboard:Notifications:Channels:0:UrlName ('SLACK_URL') is not an absolute http(s) address.",
            "BatchDashboard:Notifications:Channels:1:Host is required",
            "BatchDashboard:Notifications:Channels:1:From must be an email address.",
            "BatchDashboard:Notifications:Channels:1:To must list one or more email addresses.",
            "BatchDashboard:Notifications:Channels:1:Password must not hold a password",
            "BatchDashboard:Notifications:Rules:0:Name is required",
            "BatchDashboard:Notifications:Rules:0:When must list events among: completed, failed, expired, cancelled, long_phase, high_failure_rate, expiring_soon.",
            "BatchDashboard:Notifications:Rules:0:Channels must name one or more of the channels' Ids.",
            "BatchDashboard:Notifications:Rules:0:Metadata must be key=value",
        ];
        Assert.All(expected, e => Assert.Contains(problems, p => p.StartsWith(e, StringComparison.Ordinal)));
        Assert.Equal(expected.Length, problems.Count);
        Assert.All(problems, p => Assert.DoesNotContain("secret-part", p, StringComparison.Ordinal));
        Assert.All(problems, p => Assert.DoesNotContain("hunter2", p, StringComparison.Ordinal));
    }
}
