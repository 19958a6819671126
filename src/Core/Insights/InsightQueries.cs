using System.Data.Common;
using System.Text;
using BatchDashboard.Core.Batches;
using BatchDashboard.Core.Cache;
using BatchDashboard.Core.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchDashboard.Core.Insights;

/// <summary>How batches perform and what they cost over time: read from the rollups, never by scanning the batches.</summary>
public interface IInsightQueries
{
    Task<InsightReport> GetReportAsync(InsightFilter filter, CancellationToken cancellationToken);

    /// <summary>How batches like this one went lately; null when none like it completed.</summary>
    Task<SimilarBatches?> GetSimilarAsync(string connectionId, Batch batch, CancellationToken cancellationToken);
}

/// <summary>
/// Reads <c>insight_days</c>, <c>insight_durations</c> and <c>insight_errors</c> (<see cref="InsightRollups"/>) for the
/// filter's days and slice: a month is a few thousand rows however many batches the cache holds, summed here.
/// </summary>
internal sealed class InsightQueries(IDbContextFactory<BatchCacheDbContext> contextFactory, IOptionsMonitor<PricingOptions> pricing, TimeProvider timeProvider,
    CacheGeneration generation) : IInsightQueries
{
    /// <summary>Every open insights page reads again after each change: the same filter's report is read once per change.</summary>
    private readonly GenerationMemo<InsightReport> _reports = new(generation, capacity: 32);

    private static readonly double[] Percentiles = [0.5, 0.9, 0.99];

    public Task<InsightReport> GetReportAsync(InsightFilter filter, CancellationToken cancellationToken) => _reports.GetAsync(
        string.Join('\u001f', filter.From, filter.To, filter.ConnectionId, filter.Endpoint, filter.Model, filter.MetadataKey, filter.MetadataValue, filter.GroupBy),
        token => ReadReportAsync(filter, token), cancellationToken);

    private async Task<InsightReport> ReadReportAsync(InsightFilter filter, CancellationToken cancellationToken)
    {
        var prices = pricing.CurrentValue;
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        await context.Database.OpenConnectionAsync(cancellationToken);
        var connection = context.Database.GetDbConnection();

        var days = await ReadDaysAsync(connection, filter, cancellationToken);
        var (durations, trend) = await ReadDurationsAsync(connection, filter, cancellationToken);
        var errors = await ReadErrorsAsync(connection, filter, cancellationToken);
        var keys = await ReadMetadataKeysAsync(connection, cancellationToken);
        var (groups, groupProblem) = await ReadGroupsAsync(connection, CacheDialect.Of(context), filter, days, prices, cancellationToken);

        var volume = days
            .GroupBy(d => (d.Day, d.Status))
            .Select(g => new VolumeRow(BatchOutcome.DateOf(g.Key.Day), g.Key.Status, g.Sum(d => d.Batches), g.Sum(d => d.Requests),
                g.Sum(d => d.Completed), g.Sum(d => d.Failed), g.Sum(d => d.Unrun)))
            .OrderBy(r => r.Day).ThenBy(r => r.Status, StringComparer.Ordinal)
            .ToList();
        var failures = days
            .GroupBy(d => d.Day)
            .Select(g => new FailureRow(BatchOutcome.DateOf(g.Key), g.Sum(d => d.Completed), g.Sum(d => d.Failed)))
            .OrderBy(r => r.Day)
            .ToList();
        var spend = days
            .Where(d => d.Status != BatchOutcome.Running)
            .GroupBy(d => (d.Day, d.Model))
            .Select(g =>
            {
                var tokens = new TokenCounts(g.Sum(d => d.InputTokens), g.Sum(d => d.CachedTokens), g.Sum(d => d.OutputTokens), 0);
                return new SpendRow(BatchOutcome.DateOf(g.Key.Day), g.Key.Model, g.Sum(d => d.Batches), tokens.Input, tokens.Cached, tokens.Output,
                    CostOf(prices, g.Key.Model, tokens));
            })
            .OrderBy(r => r.Day).ThenBy(r => r.Model, StringComparer.Ordinal)
            .ToList();
        var waste = days
            .Where(d => d.Status is "expired" or "cancelled")
            .GroupBy(d => (d.Status, d.Model))
            .Select(g =>
            {
                var price = prices.PriceOf(g.Key.Model);
                var tokens = g.Sum(d => d.UnrunInputTokens);
                var cost = price is null ? 0 : tokens * price.Input / 1_000_000m * (1 - prices.BatchDiscount);
                var unknown = g.Where(d => d.Unrun > 0 && (price is null || d.UnrunInputTokens == 0)).Sum(d => d.Batches);
                var paid = CostOf(prices, g.Key.Model, new TokenCounts(g.Sum(d => d.InputTokens), g.Sum(d => d.CachedTokens), g.Sum(d => d.OutputTokens), 0));
                return new WasteRow(g.Key.Status, g.Key.Model, g.Sum(d => d.Batches), g.Sum(d => d.Unrun), tokens, cost, unknown, paid);
            })
            .OrderByDescending(r => r.Cost).ThenByDescending(r => r.Unrun).ThenBy(r => r.Status, StringComparer.Ordinal)
            .ToList();

        return new InsightReport(filter, volume, durations, trend, failures, errors, errors.Sum(e => e.Requests), days.Sum(d => d.Failed), spend,
            groups, groupProblem, waste, keys);
    }

    public async Task<SimilarBatches?> GetSimilarAsync(string connectionId, Batch batch, CancellationToken cancellationToken)
    {
        var outcome = BatchOutcome.Of(batch);
        var to = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        var filter = new InsightFilter(to.AddDays(-(int)SimilarBatches.Lookback.TotalDays), to)
        {
            ConnectionId = connectionId,
            Endpoint = outcome.Endpoint,
            Model = outcome.Model,
        };
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        await context.Database.OpenConnectionAsync(cancellationToken);
        var rows = await ReadDurationRowsAsync(context.Database.GetDbConnection(), filter, cancellationToken);
        var sameSize = rows.Where(r => r.SizeBucket == outcome.SizeBucket && outcome.SizeBucket > 0).ToList();
        var chosen = sameSize.Sum(r => r.Batches) >= SimilarBatches.EnoughOfSameSize ? sameSize : rows;
        var merged = Merge(chosen);
        if (merged.Batches == 0)
        {
            return null;
        }

        static PhaseSpread Spread(DurationHistogram histogram) =>
            new(histogram.Count, histogram.Percentile(0.1), histogram.Percentile(0.5), histogram.Percentile(0.9));

        return new SimilarBatches(merged.Batches, ReferenceEquals(chosen, sameSize), Spread(merged.Turnaround), Spread(merged.Validating),
            Spread(merged.InProgress), Spread(merged.Finalizing));
    }

    /// <summary>The batch price of the tokens; nothing used costs nothing, priced or not; null for tokens of a model without a price.</summary>
    private static decimal? CostOf(PricingOptions prices, string model, TokenCounts tokens) =>
        tokens.Input == 0 && tokens.Output == 0 ? 0 : prices.Estimate(model, tokens)?.BatchPrice;

    internal static DurationStats Stats(DurationHistogram histogram) => histogram.Count <= 0
        ? DurationStats.Empty
        : new DurationStats(histogram.Count, histogram.Percentile(Percentiles[0]), histogram.Percentile(Percentiles[1]), histogram.Percentile(Percentiles[2]));

    private sealed record DayRow(long Day, string Model, string Status, long Batches, long Requests, long Completed, long Failed, long Unrun,
        long InputTokens, long CachedTokens, long OutputTokens, long UnrunInputTokens);

    private sealed record DurationRowData(long Day, string Endpoint, string Model, int SizeBucket, long Batches, string Turnaround, string Validating,
        string InProgress, string Finalizing);

    private static DurationHistograms Merge(IEnumerable<DurationRowData> rows)
    {
        var merged = new DurationHistograms();
        foreach (var row in rows)
        {
            merged.Add(row.Batches, row.Turnaround, row.Validating, row.InProgress, row.Finalizing);
        }

        return merged;
    }

    /// <summary>The rollup rows' condition for the filter: its slice (all batches, or a metadata key or pair), its days, its columns.</summary>
    private static string Where(DbCommand command, InsightFilter filter)
    {
        var where = new StringBuilder();
        if (filter.MetadataKey is { } key)
        {
            where.Append("meta_key = @meta_key");
            command.Add("@meta_key", key);
            if (filter.MetadataValue is { } value)
            {
                where.Append(" AND meta_value = @meta_value");
                command.Add("@meta_value", value);
            }
        }
        else
        {
            where.Append("meta_key = '' AND meta_value = ''");
        }

        where.Append(" AND day BETWEEN @from AND @to");
        command.Add("@from", BatchOutcome.DayOf(filter.From));
        command.Add("@to", BatchOutcome.DayOf(filter.To));
        if (filter.ConnectionId is { } connectionId)
        {
            where.Append(" AND connection_id = @connection");
            command.Add("@connection", connectionId);
        }

        if (filter.Endpoint is { } endpoint)
        {
            where.Append(" AND endpoint = @endpoint");
            command.Add("@endpoint", endpoint);
        }

        if (filter.Model is { } model)
        {
            where.Append(" AND model = @model");
            command.Add("@model", model);
        }

        return where.ToString();
    }

    private static async Task<List<DayRow>> ReadDaysAsync(DbConnection connection, InsightFilter filter, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var where = Where(command, filter);
        command.CommandText = $"""
            SELECT day, model, status, SUM(batches), SUM(requests), SUM(completed), SUM(failed), SUM(unrun), SUM(input_tokens),
                SUM(cached_tokens), SUM(output_tokens), SUM(unrun_input_tokens)
            FROM insight_days WHERE {where} GROUP BY day, model, status
            """;
        var rows = new List<DayRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new DayRow(reader.Int64(0), reader.GetString(1), reader.GetString(2), reader.Int64(3), reader.Int64(4), reader.Int64(5),
                reader.Int64(6), reader.Int64(7), reader.Int64(8), reader.Int64(9), reader.Int64(10), reader.Int64(11)));
        }

        return rows;
    }

    private static async Task<List<DurationRowData>> ReadDurationRowsAsync(DbConnection connection, InsightFilter filter, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var where = Where(command, filter);
        command.CommandText = $"""
            SELECT day, endpoint, model, size_bucket, batches, turnaround, validating, in_progress, finalizing
            FROM insight_durations WHERE {where}
            """;
        var rows = new List<DurationRowData>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new DurationRowData(reader.Int64(0), reader.GetString(1), reader.GetString(2), reader.Int32(3), reader.Int64(4), reader.GetString(5),
                reader.GetString(6), reader.GetString(7), reader.GetString(8)));
        }

        return rows;
    }

    private static async Task<(List<DurationRow> Groups, List<PhaseTrendRow> Trend)> ReadDurationsAsync(DbConnection connection, InsightFilter filter,
        CancellationToken cancellationToken)
    {
        var rows = await ReadDurationRowsAsync(connection, filter, cancellationToken);

        DurationRow Row(string dimension, string group, string label, IEnumerable<DurationRowData> of)
        {
            var merged = Merge(of);
            return new DurationRow(dimension, group, label, Stats(merged.Turnaround), Stats(merged.Validating), Stats(merged.InProgress), Stats(merged.Finalizing));
        }

        var groups = new List<DurationRow>();
        groups.AddRange(rows.GroupBy(r => r.Model).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Row("model", g.Key, g.Key.Length == 0 ? "model not known" : g.Key, g)));
        groups.AddRange(rows.GroupBy(r => r.Endpoint).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Row("endpoint", g.Key, g.Key.Length == 0 ? "endpoint not known" : g.Key, g)));
        groups.AddRange(rows.GroupBy(r => r.SizeBucket).OrderBy(g => g.Key)
            .Select(g => Row("size", g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), BatchOutcome.SizeLabelOf(g.Key), g)));
        var trend = rows.GroupBy(r => r.Day).OrderBy(g => g.Key).Select(g =>
        {
            var merged = Merge(g);
            return new PhaseTrendRow(BatchOutcome.DateOf(g.Key), Stats(merged.Turnaround), Stats(merged.Validating), Stats(merged.InProgress), Stats(merged.Finalizing));
        }).ToList();
        return (groups, trend);
    }

    private static async Task<List<ErrorRow>> ReadErrorsAsync(DbConnection connection, InsightFilter filter, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var where = Where(command, filter);
        command.CommandText = $"SELECT day, code, SUM(requests) FROM insight_errors WHERE {where} GROUP BY day, code HAVING SUM(requests) > 0";
        var rows = new List<ErrorRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ErrorRow(BatchOutcome.DateOf(reader.Int64(0)), reader.GetString(1), reader.Int64(2)));
        }

        return [.. rows.OrderBy(r => r.Day).ThenByDescending(r => r.Requests).ThenBy(r => r.Code, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The metadata keys the rollups hold, one index seek each (a recursive walk from key to next key), where
    /// <c>SELECT DISTINCT</c> would read every row.
    /// </summary>
    private static async Task<List<string>> ReadMetadataKeysAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            WITH RECURSIVE keys(key) AS (
                SELECT MIN(meta_key) FROM insight_days WHERE meta_key > ''
                UNION ALL
                SELECT (SELECT MIN(meta_key) FROM insight_days WHERE meta_key > keys.key) FROM keys WHERE keys.key IS NOT NULL)
            SELECT key FROM keys WHERE key IS NOT NULL
            """;
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    /// <summary>
    /// The spend per value of the chosen key, and a row for the batches without it (all of the filter's batches less
    /// those with a value). A metadata filter on another key cannot be combined: each slice holds one pair.
    /// </summary>
    private static async Task<(List<GroupSpendRow> Rows, string? Problem)> ReadGroupsAsync(DbConnection connection, CacheDialect dialect, InsightFilter filter,
        List<DayRow> days, PricingOptions prices, CancellationToken cancellationToken)
    {
        if (filter.GroupBy is not { Length: > 0 } groupKey)
        {
            return ([], null);
        }

        if (filter.MetadataKey is { } metaKey && metaKey != groupKey)
        {
            return ([], $"Spend can be grouped by '{groupKey}' only without a filter on another metadata key ('{metaKey}'); remove that filter or group by '{metaKey}'.");
        }

        await using var command = connection.CreateCommand();
        var only = filter.MetadataKey == groupKey ? filter.MetadataValue : null;
        var where = Where(command, filter with { MetadataKey = groupKey, MetadataValue = only });
        // Every value of the key for the days: their index, where SQLite's planner took the key's every day (42 ms
        // for a team key at 1,000,000 batches).
        var index = only is null ? dialect.IndexedBy("ix_insight_days_key_day") : "";
        command.CommandText = $"""
            SELECT meta_value, model, SUM(batches), SUM(requests), SUM(input_tokens), SUM(cached_tokens), SUM(output_tokens)
            FROM insight_days{index} WHERE {where} AND status <> '{BatchOutcome.Running}' GROUP BY meta_value, model
            """;
        var sums = new Dictionary<string, (long Batches, long Requests, long Input, long Cached, long Output, decimal Cost, long Unpriced)>(StringComparer.Ordinal);
        var withValue = new Dictionary<string, (long Batches, long Requests, long Input, long Cached, long Output)>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var (value, model) = (reader.GetString(0), reader.GetString(1));
                var (batches, requests, input, cached, output) = (reader.Int64(2), reader.Int64(3), reader.Int64(4), reader.Int64(5), reader.Int64(6));
                var cost = CostOf(prices, model, new TokenCounts(input, cached, output, 0));
                var total = sums.GetValueOrDefault(value);
                sums[value] = (total.Batches + batches, total.Requests + requests, total.Input + input, total.Cached + cached, total.Output + output,
                    total.Cost + (cost ?? 0), total.Unpriced + (cost is null ? batches : 0));
                var byModel = withValue.GetValueOrDefault(model);
                withValue[model] = (byModel.Batches + batches, byModel.Requests + requests, byModel.Input + input, byModel.Cached + cached, byModel.Output + output);
            }
        }

        var rows = sums.Select(s => new GroupSpendRow(s.Key, s.Value.Batches, s.Value.Requests, s.Value.Input, s.Value.Cached, s.Value.Output, s.Value.Cost, s.Value.Unpriced))
            .OrderByDescending(r => r.Cost).ThenByDescending(r => r.Batches).ThenBy(r => r.Value, StringComparer.Ordinal)
            .ToList();
        if (filter.MetadataKey is null)
        {
            // The batches without the key: every ended batch of the filter less those with a value, model by model.
            long batchesWithout = 0, requestsWithout = 0, inputWithout = 0, cachedWithout = 0, outputWithout = 0, unpricedWithout = 0;
            decimal costWithout = 0;
            foreach (var model in days.Where(d => d.Status != BatchOutcome.Running).GroupBy(d => d.Model))
            {
                var counted = withValue.GetValueOrDefault(model.Key);
                var batches = model.Sum(d => d.Batches) - counted.Batches;
                if (batches <= 0)
                {
                    continue;
                }

                var tokens = new TokenCounts(model.Sum(d => d.InputTokens) - counted.Input, model.Sum(d => d.CachedTokens) - counted.Cached,
                    model.Sum(d => d.OutputTokens) - counted.Output, 0);
                var cost = CostOf(prices, model.Key, tokens);
                batchesWithout += batches;
                requestsWithout += model.Sum(d => d.Requests) - counted.Requests;
                inputWithout += tokens.Input;
                cachedWithout += tokens.Cached;
                outputWithout += tokens.Output;
                costWithout += cost ?? 0;
                unpricedWithout += cost is null ? batches : 0;
            }

            if (batchesWithout > 0)
            {
                rows.Add(new GroupSpendRow(null, batchesWithout, requestsWithout, inputWithout, cachedWithout, outputWithout, costWithout, unpricedWithout));
            }
        }

        return (rows, null);
    }
}
