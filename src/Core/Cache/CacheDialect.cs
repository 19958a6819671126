using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace BatchDashboard.Core.Cache;

/// <summary>The databases the cache can live in.</summary>
public enum CacheProvider
{
    /// <summary>One file beside the app: the default, for one instance.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database shared by several instances (scale-out).</summary>
    Postgres,
}

/// <summary>
/// The few places where the cache's hand-written SQL differs between SQLite and PostgreSQL. Everything else is
/// written once, in the SQL both accept (named <c>@parameters</c>, <c>ON CONFLICT … DO UPDATE</c>, <c>RETURNING</c>,
/// row values, recursive CTEs).
/// </summary>
internal sealed class CacheDialect
{
    public static readonly CacheDialect Sqlite = new(CacheProvider.Sqlite);

    public static readonly CacheDialect Postgres = new(CacheProvider.Postgres);

    private CacheDialect(CacheProvider provider) => Provider = provider;

    public CacheProvider Provider { get; }

    public bool IsSqlite => Provider == CacheProvider.Sqlite;

    /// <summary>
    /// SQLite keeps free text in a trigram FTS5 table, <c>batch_search</c>, kept by the store; PostgreSQL has a
    /// trigram index (pg_trgm) on <c>batches.search_text</c> itself, which answers the <c>LIKE</c> directly.
    /// </summary>
    public bool HasSearchTable => IsSqlite;

    /// <summary>Boolean literals as each stores them (SQLite's partial index is written <c>= 0</c> and matched as written).</summary>
    public string False => IsSqlite ? "0" : "FALSE";

    public string True => IsSqlite ? "1" : "TRUE";

    /// <summary>The larger of two values (SQLite's two-argument <c>MAX</c>).</summary>
    public string Greatest(string a, string b) => IsSqlite ? $"MAX({a}, {b})" : $"GREATEST({a}, {b})";

    /// <summary>SQLite's hint to use one index; PostgreSQL's planner takes no hints.</summary>
    public string IndexedBy(string index) => IsSqlite ? $" INDEXED BY {index}" : "";

    public static CacheDialect Of(DbContext context) => context.Database.IsNpgsql() ? Postgres : Sqlite;
}

/// <summary>Parameters and values that read the same from either provider.</summary>
internal static class DbCommandExtensions
{
    /// <summary>
    /// Adds a parameter. A null is sent as text: PostgreSQL must know a parameter's type, and every nullable
    /// parameter the cache compares (<c>@connection IS NULL OR …</c>) is a string.
    /// </summary>
    public static void Add(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        if (value is null)
        {
            parameter.DbType = DbType.String;
        }

        command.Parameters.Add(parameter);
    }

    /// <summary>
    /// A condition that <paramref name="column"/> contains <paramref name="text"/> literally (LIKE's wildcards in it
    /// escaped), with its parameter added: the same SQL on both providers.
    /// </summary>
    public static string Contains(this DbCommand command, string column, string parameter, string text)
    {
        var escaped = text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
        command.Add(parameter, $"%{escaped}%");
        return $"{column} LIKE {parameter} ESCAPE '\\'";
    }

    /// <summary>An integer column or aggregate: SQLite reads back <c>long</c>, PostgreSQL <c>int</c>, <c>long</c> or <c>numeric</c> (a <c>SUM</c>).</summary>
    public static long Int64(this DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

    public static int Int32(this DbDataReader reader, int ordinal) => Convert.ToInt32(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

    public static double Double(this DbDataReader reader, int ordinal) => Convert.ToDouble(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A scalar of either provider's integer or boolean types, as a long.</summary>
    public static long AsInt64(object? value) => value switch
    {
        null or DBNull => 0,
        bool flag => flag ? 1 : 0,
        _ => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
    };
}
