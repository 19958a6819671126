using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Tests.Support;
using BatchDashboard.Tests.Shared;

namespace BatchDashboard.Core.Tests.Batches;

public sealed class BatchReaderTests
{
    [Fact]
    public void Read_TakesEveryFieldOfTheBatchObject()
    {
        var json = TestBatches.Json("batch_abc", "completed", total: 10, failed: 2, change: b =>
        {
            b["errors"] = System.Text.Json.Nodes.JsonNode.Parse("""{"object":"list","data":[{"code":"invalid_json_line","message":"Bad","param":"body","line":3}]}""");
            b["failed_at"] = TestBatches.Created + 800;
            b["expired_at"] = TestBatches.Created + 801;
            b["cancelling_at"] = TestBatches.Created + 802;
            b["cancelled_at"] = TestBatches.Created + 803;
            b["error_file_id"] = "file-err";
        });

        var batch = BatchReader.Read(json).Batch!;

        Assert.Equal("batch_abc", batch.Id);
        Assert.Equal("batch", batch.Object);
        Assert.Equal("/v1/chat/completions", batch.Endpoint);
        Assert.Equal("gpt-4o-mini-2024-07-18", batch.Model);
        Assert.Equal("file-inputbatch_abc", batch.InputFileId);
        Assert.Equal("24h", batch.CompletionWindow);
        Assert.Equal(BatchStatusKind.Completed, batch.Status.Kind);
        Assert.Equal("file-outputbatch_abc", batch.OutputFileId);
        Assert.Equal("file-err", batch.ErrorFileId);
        var created = DateTimeOffset.FromUnixTimeSeconds(TestBatches.Created);
        Assert.Equal(created, batch.CreatedAt);
        Assert.Equal(created.AddSeconds(5), batch.InProgressAt);
        Assert.Equal(created.AddSeconds(86_400), batch.ExpiresAt);
        Assert.Equal(created.AddSeconds(600), batch.FinalizingAt);
        Assert.Equal(created.AddSeconds(700), batch.CompletedAt);
        Assert.Equal(created.AddSeconds(800), batch.FailedAt);
        Assert.Equal(created.AddSeconds(801), batch.ExpiredAt);
        Assert.Equal(created.AddSeconds(802), batch.CancellingAt);
        Assert.Equal(created.AddSeconds(803), batch.CancelledAt);
        Assert.Equal(new RequestCounts(10, 8, 2), batch.RequestCounts);
        Assert.Equal(new BatchUsage(100, 20, 40, 5, 140), batch.Usage);
        Assert.Equal([new BatchError("invalid_json_line", "Bad", "body", 3)], batch.Errors);
        Assert.Equal("eval", batch.Metadata["project"]);
        Assert.Equal(json, batch.RawJson);
        Assert.Empty(batch.ExtraFields);
    }

    [Theory]
    [InlineData("1761592608", 1761592608L)]              // unix seconds
    [InlineData("5000000000", 5000000000L)]              // beyond 2^32 seconds (year 2128)
    [InlineData("1761592608123", 1761592608L)]           // milliseconds
    [InlineData("1761592608.9", 1761592608L)]            // a float from a proxy, truncated
    [InlineData("\"1761592608\"", 1761592608L)]          // a numeric string
    [InlineData("\"2025-10-27T19:16:48Z\"", 1761592608L)] // ISO-8601
    [InlineData("\"2025-10-27T21:16:48.0000000+02:00\"", 1761592608L)] // ISO-8601 with an offset, as Azure documents
    public void Read_AcceptsEveryTimestampForm(string value, long expectedUnixSeconds)
    {
        var batch = BatchReader.Read($$"""{"id":"b","created_at":{{value}}}""").Batch!;

        Assert.Equal(expectedUnixSeconds, batch.CreatedAt!.Value.ToUnixTimeSeconds());
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"soon\"")]
    [InlineData("true")]
    [InlineData("{}")]
    [InlineData("1e400")]
    public void Read_TreatsAnUnreadableTimestampAsMissing_AndKeepsTheBatch(string value)
    {
        var result = BatchReader.Read($$"""{"id":"b","status":"completed","completed_at":{{value}}}""");

        Assert.True(result.Succeeded);
        Assert.Null(result.Batch!.CompletedAt);
        Assert.Equal(BatchStatusKind.Completed, result.Batch.Status.Kind);
    }

    [Theory]
    [InlineData("Validating", BatchStatusKind.Validating)]
    [InlineData("IN_PROGRESS", BatchStatusKind.InProgress)]
    [InlineData("in-progress", BatchStatusKind.InProgress)]
    [InlineData("Completed", BatchStatusKind.Completed)]
    [InlineData("CANCELING", BatchStatusKind.Cancelling)]
    [InlineData("canceled", BatchStatusKind.Cancelled)]
    [InlineData("expired", BatchStatusKind.Expired)]
    public void Read_MatchesStatusesWhateverTheirCase(string raw, BatchStatusKind expected)
    {
        var batch = BatchReader.Read($$"""{"id":"b","status":"{{raw}}"}""").Batch!;

        Assert.Equal(expected, batch.Status.Kind);
        Assert.Equal(raw, batch.Status.Raw);
    }

    [Fact]
    public void Read_KeepsAnUnknownStatus_AsItCame()
    {
        var batch = BatchReader.Read("""{"id":"b","status":"queued_for_review"}""").Batch!;

        Assert.Equal(BatchStatusKind.Unknown, batch.Status.Kind);
        Assert.Equal("queued_for_review", batch.Status.Name);
        Assert.False(batch.Status.IsTerminal);
    }

    [Fact]
    public void Read_AcceptsABatchWithNothingButAnId()
    {
        var batch = BatchReader.Read("""{"id":"batch_only"}""").Batch!;

        Assert.Equal("batch_only", batch.Id);
        Assert.Equal(BatchStatusKind.Unknown, batch.Status.Kind);
        Assert.Null(batch.CreatedAt);
        Assert.Null(batch.RequestCounts);
        Assert.Null(batch.Usage);
        Assert.Empty(batch.Errors);
        Assert.Empty(batch.Metadata);
    }

    [Fact]
    public void Read_KeepsCountsWhoseMembersAreNull_AndDerivesPendingNeverNegative()
    {
        var batch = BatchReader.Read("""{"id":"b","request_counts":{"total":5,"completed":null,"failed":null}}""").Batch!;
        var over = BatchReader.Read("""{"id":"b","request_counts":{"total":2,"completed":3,"failed":1}}""").Batch!;

        Assert.Equal(new RequestCounts(5, null, null), batch.RequestCounts);
        Assert.Equal(5, batch.RequestCounts!.Pending);
        Assert.Equal(0, over.RequestCounts!.Pending);
    }

    [Fact]
    public void Read_KeepsMetadataValuesThatAreNotStrings_AsTheirJson()
    {
        var batch = BatchReader.Read("""{"id":"b","metadata":{"n":42,"flag":true,"obj":{"a":[1,2]},"none":null,"s":"text"}}""").Batch!;

        Assert.Equal("42", batch.Metadata["n"]);
        Assert.Equal("true", batch.Metadata["flag"]);
        Assert.Equal("""{"a":[1,2]}""", batch.Metadata["obj"]);
        Assert.Equal("null", batch.Metadata["none"]);
        Assert.Equal("text", batch.Metadata["s"]);
    }

    [Fact]
    public void Read_KeepsUnknownFields_AndTheRawJson()
    {
        const string json = """{"id":"b","status":"completed","version":3,"created_by":"someone","first_id":"x"}""";

        var batch = BatchReader.Read(json).Batch!;

        Assert.Equal("3", batch.ExtraFields["version"]);
        Assert.Equal("\"someone\"", batch.ExtraFields["created_by"]);
        Assert.Equal("\"x\"", batch.ExtraFields["first_id"]);
        Assert.Equal(json, batch.RawJson);
    }

    [Theory]
    [InlineData("""{"object":"list","data":[{"code":"c","message":"m"}]}""", "c", "m")]
    [InlineData("""[{"code":"c","message":"m","line":"7"}]""", "c", "m")]
    [InlineData("\"input file rejected\"", null, "input file rejected")]
    [InlineData("""["first problem"]""", null, "first problem")]
    [InlineData("""{"data":[{}]}""", null, null)]
    public void Read_AcceptsEveryShapeOfErrors(string errors, string? code, string? message)
    {
        var batch = BatchReader.Read($$"""{"id":"b","errors":{{errors}}}""").Batch!;

        var error = Assert.Single(batch.Errors);
        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("""{"errors":null}""")]
    [InlineData("""{"errors":{"object":"list"}}""")]
    [InlineData("""{"errors":42}""")]
    public void Read_HasNoErrors_WhenErrorsIsNullOrEmpty(string body)
    {
        var batch = BatchReader.Read("{\"id\":\"b\"," + body.TrimStart('{')).Batch!;

        Assert.Empty(batch.Errors);
    }

    [Theory]
    [InlineData("""{"status":"completed"}""", "no id")]
    [InlineData("""{"id":"","status":"completed"}""", "no id")]
    [InlineData("""[1,2]""", "Expected a JSON object")]
    [InlineData("""{"id":"b",""", "Not valid JSON")]
    public void Read_RejectsWhatIsNotABatch_SayingWhy(string json, string reason)
    {
        var result = BatchReader.Read(json);

        Assert.False(result.Succeeded);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TakesTopLevelCounts_WhenAProviderSendsNoRequestCounts()
    {
        var batch = BatchReader.Read("""{"id":"b","total":"9","completed":7,"failed":2}""").Batch!;

        Assert.Equal(new RequestCounts(9, 7, 2), batch.RequestCounts);
    }

    [Fact]
    public void Read_KeepsUsageWithoutDetails()
    {
        var batch = BatchReader.Read("""{"id":"b","usage":{"input_tokens":10,"output_tokens":2,"total_tokens":12}}""").Batch!;

        Assert.Equal(new BatchUsage(10, null, 2, null, 12), batch.Usage);
    }
}
