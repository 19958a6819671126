using BatchDashboard.Core.Audit;
using BatchDashboard.Core.Connections;
using BatchDashboard.Dashboard.Model;

namespace BatchDashboard.Dashboard.Tests.Model;

/// <summary>The audit log's and the settings page's shaping, without a renderer.</summary>
public sealed class PageViewModelTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AnAuditEntry_OnABatch_LinksToIt_ByItsShortId()
    {
        var row = AuditRowViewModel.From(new AuditEntry(7, At, "ops", "cancel", "openai", "batch_0123456789abcdef", AuditResult.Succeeded, null));

        Assert.Equal(DashboardUrls.Batch("batch_0123456789abcdef", "openai"), row.BatchHref);
        Assert.Equal(BatchRowViewModel.ShortIdOf("batch_0123456789abcdef"), row.TargetText);
        Assert.Equal("succeeded", row.ResultText);
        Assert.Equal(MudBlazor.Color.Success, row.ResultColour);
    }

    [Theory]
    [InlineData("file-abc", "openai", AuditResult.Failed, "failed")]
    [InlineData("batch_abc", null, AuditResult.Denied, "denied")]
    [InlineData(null, null, AuditResult.RateLimited, "rate-limited")]
    public void AnAuditEntry_NotOnAKnownBatch_ShowsItsTarget_AsText(string? target, string? connection, AuditResult result, string text)
    {
        var row = AuditRowViewModel.From(new AuditEntry(7, At, "ops", "create", connection, target, result, "detail"));

        Assert.Null(row.BatchHref);
        Assert.Equal(target ?? "", row.TargetText);
        Assert.Equal(text, row.ResultText);
        Assert.Equal($"audit-result audit-result--{result.ToString().ToLowerInvariant()}", row.ResultClass);
    }

    [Fact]
    public void AConnection_OnTheSettingsPage_SaysWhetherItsKeyIsSet_NeverTheKey()
    {
        var connection = new ApiConnection { Id = "azure", Name = "Azure", Kind = ConnectionKind.Azure, BaseUrl = new Uri("https://example.openai.azure.com/openai/v1"), ApiKey = "sk-secret-1234" };

        var row = ConnectionSettingsRow.From(connection);
        var missing = ConnectionSettingsRow.From(new ApiConnection { Id = "x", Name = "X", Kind = ConnectionKind.OpenAI, BaseUrl = new Uri("https://api.openai.com/v1"), ApiKey = "" });

        Assert.Equal("set (kept on the server)", row.Key);
        Assert.Equal("missing", missing.Key);
        Assert.Equal("— · —", row.OrganizationAndProject);
        Assert.DoesNotContain(typeof(ConnectionSettingsRow).GetProperties().Select(p => p.GetValue(row)?.ToString()), v => v?.Contains("1234", StringComparison.Ordinal) == true);
    }
}
