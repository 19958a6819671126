using System.Globalization;
using System.Text;
using System.Text.Json;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Connections;

namespace BatchDashboard.Core.Notifications;

/// <summary>What one event says, in words for Slack and email and as JSON for a webhook, with the batch's link.</summary>
internal sealed record NotificationMessage(string Id, string Kind, string Rule, string ConnectionId, string ConnectionName, Batch Batch, DateTimeOffset OccurredAt, Uri? Link)
{
    /// <summary>One line: "Batch batch_abc failed · Demo".</summary>
    public string Title => $"Batch {Batch.Id} {Headline} · {ConnectionName}";

    private string Headline => Kind switch
    {
        NotificationEvents.LongPhase => $"is {Batch.Status.Name.Replace('_', ' ')} for longer than usual",
        NotificationEvents.HighFailureRate => "has a high failure rate",
        NotificationEvents.ExpiringSoon => "expires soon with requests unrun",
        _ => Kind,
    };

    /// <summary>A sentence or two a person can act on, with what the batch is and where it stands.</summary>
    public string Text
    {
        get
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"Batch {Batch.Id}");
            var what = string.Join(", ", new[] { Batch.Model, Batch.Endpoint }.Where(s => !string.IsNullOrEmpty(s)));
            if (what.Length > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $" ({what})");
            }

            text.Append(CultureInfo.InvariantCulture, $" on {ConnectionName} {Headline}.");
            if (Batch.RequestCounts is { Total: > 0 } counts)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $" Requests: {counts.Completed ?? 0:N0} completed, {counts.Failed ?? 0:N0} failed, {counts.Pending:N0} not run, of {counts.Total:N0}.");
            }

            if (Batch.Errors.FirstOrDefault() is { } error)
            {
                text.Append(CultureInfo.InvariantCulture, $" {error.Code}: {error.Message}");
            }

            if (Kind == NotificationEvents.ExpiringSoon && Batch.ExpiresAt is { } expires)
            {
                text.Append(CultureInfo.InvariantCulture, $" Its window ends at {expires.UtcDateTime:yyyy-MM-dd HH:mm} UTC.");
            }

            return text.ToString();
        }
    }

    /// <summary>The generic webhook's body.</summary>
    public byte[] Json()
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", Id);
            json.WriteString("type", $"batch.{Kind}"); // batch.failed, as the provider names an end; batch.long_phase and the like for alarms
            json.WriteNumber("created_at", OccurredAt.ToUnixTimeSeconds());
            json.WriteString("rule", Rule);
            json.WriteString("summary", Text);
            if (Link is not null)
            {
                json.WriteString("url", Link.ToString());
            }

            json.WriteStartObject("batch");
            json.WriteString("id", Batch.Id);
            json.WriteString("connection", ConnectionId);
            json.WriteString("status", Batch.Status.Name);
            json.WriteString("endpoint", Batch.Endpoint);
            json.WriteString("model", Batch.Model);
            if (Batch.RequestCounts is { } counts)
            {
                json.WriteStartObject("request_counts");
                json.WriteNumber("total", counts.Total ?? 0);
                json.WriteNumber("completed", counts.Completed ?? 0);
                json.WriteNumber("failed", counts.Failed ?? 0);
                json.WriteEndObject();
            }

            json.WriteStartObject("metadata");
            foreach (var (key, value) in Batch.Metadata)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The Slack-compatible body: <c>{"text": "…"}</c>, the title linked to the batch's page.</summary>
    public byte[] SlackJson()
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            var title = Escape(Title);
            json.WriteString("text", Link is null ? $"*{title}*\n{Escape(Text)}" : $"*<{Link}|{title}>*\n{Escape(Text)}");
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    // Slack's mrkdwn takes &, < and > as markup.
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>The batch's page under the dashboard's address.</summary>
    public static Uri? LinkOf(Uri? dashboard, string connectionId, string batchId) => dashboard is null ? null
        : new Uri($"{dashboard.ToString().TrimEnd('/')}/batches/{Uri.EscapeDataString(batchId)}?connection={Uri.EscapeDataString(connectionId)}");

    public static string NameOf(IConnectionCatalog catalog, string connectionId) => catalog.Find(connectionId)?.Name ?? connectionId;
}
