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

    [Fact]
    public void AnAuditEntry_SaysItsActionInWords_AndLinksEveryBatchItsDetailNames()
    {
        var row = AuditRowViewModel.From(new AuditEntry(7, At, "ops", "retry", "openai", "batch_parent1",
            AuditResult.Succeeded, "sent 1 request again as batch_retry2 (rate_limit_exceeded)"));

        Assert.Equal("Retry", row.ActionText);
        Assert.Equal(
            [("sent 1 request again as ", null), ("batch_retry2", DashboardUrls.Batch("batch_retry2", "openai")), (" (rate_limit_exceeded)", null)],
            row.DetailParts.Select(p => (p.Text, p.Href)));
        Assert.Equal("New batch", AuditRowViewModel.From(new AuditEntry(8, At, "ops", "create", "openai", "in.jsonl", AuditResult.Succeeded, null)).ActionText);
        Assert.Empty(AuditRowViewModel.From(new AuditEntry(9, At, "ops", "sign-out", null, null, AuditResult.Succeeded, null)).DetailParts);
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

    [Theory]
    [InlineData(1, "batch", "1 batch")]
    [InlineData(0, "batch", "0 batches")]
    [InlineData(2400, "request", "2,400 requests")]
    [InlineData(1, "problem", "1 problem")]
    [InlineData(3, "line", "3 lines")]
    public void Counts_TakeTheSingularForOne(long count, string noun, string expected) =>
        Assert.Equal(expected, Plural.Of(count, noun));

    [Theory]
    [InlineData(0, 100, "0%")]
    [InlineData(25, 1000, "2.5%")]
    [InlineData(3, 100, "3.0%")]
    [InlineData(1, 4, "25%")]
    [InlineData(468, 6300, "7.4%")]
    [InlineData(5, 0, "—")]
    public void AShare_HasOneDecimalBelowTenPercent_NoneAbove(long part, long whole, string expected) =>
        Assert.Equal(expected, Share.Format(part, whole));
}
