using BatchDashboard.Core.Results;
using BatchDashboard.Dashboard.Model;

namespace BatchDashboard.Dashboard.Api;

public sealed record TokensResource(long Input, long Cached, long Output, long Reasoning, long Total)
{
    public static TokensResource From(TokenCounts tokens) => new(tokens.Input, tokens.Cached, tokens.Output, tokens.Reasoning, tokens.Total);
}

public sealed record ResultRowResource(string CustomId, string Outcome, int? StatusCode, string? ErrorCode, string? ErrorMessage, TokensResource Tokens,
    int? InputLine, string? ResultFile, int? ResultLine, long Position)
{
    public static ResultRowResource From(ResultRow row) => new(row.CustomId, OutcomeDisplay.Name(row.Outcome), row.StatusCode, row.ErrorCode, row.ErrorMessage,
        TokensResource.From(row.Tokens), row.InputLine, row.ResultKind?.ToString().ToLowerInvariant(), row.ResultLine, row.Position);
}

/// <summary>
/// One page of <c>GET /api/batches/{id}/results</c>; <c>next_cursor</c>, a string as every cursor of the API is, goes
/// in <c>after</c>.
/// </summary>
public sealed record ResultPageResource(IReadOnlyList<ResultRowResource> Data, string? NextCursor);

public sealed record ResultFileResource(string Kind, string FileId, string State, long? BytesTotal, long BytesRead, int Lines, int MalformedLines,
    string? Error, DateTimeOffset? IndexedAt, bool HasLocalCopy, bool ExpiredUpstream, DateTimeOffset? UpstreamExpiresAt)
{
    public static ResultFileResource From(ResultFileStatus file) => new(file.Kind.ToString().ToLowerInvariant(), file.FileId,
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(file.State.ToString()), file.BytesTotal, file.BytesRead, file.Lines, file.MalformedLines,
        file.Error, file.IndexedAt, file.HasLocalCopy, file.ExpiredUpstream, file.UpstreamExpiresAt);
}

public sealed record ErrorGroupResource(string Code, int Count, string ExampleCustomId, string? ExampleMessage);

public sealed record CostResource(string PricedAs, decimal InputPerMillion, decimal CachedInputPerMillion, decimal OutputPerMillion, decimal ListPrice, decimal BatchPrice, decimal Discount);

public sealed record ResultSummaryResource(IReadOnlyDictionary<string, int> Outcomes, int Total, IReadOnlyList<ErrorGroupResource> Errors, TokensResource Tokens,
    string? Model, CostResource? CostUsd, IReadOnlyList<ResultFileResource> Files)
{
    public static ResultSummaryResource From(ResultSummary summary, IReadOnlyList<ResultFileStatus> files, string? model, CostEstimate? cost) => new(
        summary.Outcomes.ToDictionary(o => OutcomeDisplay.Name(o.Key), o => o.Value),
        summary.Total,
        [.. summary.Errors.Select(e => new ErrorGroupResource(e.Code, e.Count, e.ExampleCustomId, e.ExampleMessage))],
        TokensResource.From(summary.Tokens),
        model,
        cost is null ? null : new CostResource(cost.Price.Model, cost.Price.Input, cost.Price.CachedInput, cost.Price.Output, Math.Round(cost.ListPrice, 4), Math.Round(cost.BatchPrice, 4), cost.Discount),
        [.. files.Select(ResultFileResource.From)]);
}

public sealed record ResultDetailResource(ResultRowResource Request, string? InputLine, string? ResultLine)
{
    public static ResultDetailResource From(ResultDetail detail) => new(ResultRowResource.From(detail.Row), detail.InputLine, detail.ResultLine);
}
