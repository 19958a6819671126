using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace BatchDashboard.Core.Cache;

/// <summary>
/// One statement that a write runs many times inside its transaction (a row per batch, per result line), with its
/// parameters declared once and set by name before each run.
/// </summary>
/// <remarks>
/// On SQLite the statement is compiled once on the connection's own handle and each value is bound straight to its
/// position: Microsoft.Data.Sqlite looks every parameter up by name and builds a reader on each run. On PostgreSQL it
/// is an ordinary command. Kept for one target: a first import of at least 20,000 batches a second
/// (docs/PERFORMANCE.md, "Import"). Measured on 2026-12-04 in turns with the ordinary command on SQLite too: 23,647,
/// 32,475 and 31,783 batches/s with the handle, 25,552, 25,896 and 18,108 without it (the target missed once).
/// </remarks>
internal abstract class CacheStatement : IAsyncDisposable
{
    private readonly Dictionary<string, int> _ordinals;

    private protected CacheStatement(string[] parameters)
    {
        _ordinals = new Dictionary<string, int>(parameters.Length, StringComparer.Ordinal);
        for (var i = 0; i < parameters.Length; i++)
        {
            _ordinals.Add(parameters[i], i);
        }
    }

    /// <summary>Compiles <paramref name="sql"/> (one statement) with the named parameters it uses.</summary>
    public static CacheStatement Prepare(DbConnection connection, DbTransaction transaction, string sql, params string[] parameters) =>
        connection is SqliteConnection { Handle: { } handle }
            ? new SqliteStatement(handle, sql, parameters)
            : new CommandStatement(connection, transaction, sql, parameters);

    public void Set(string name, string? value) => Bind(Ordinal(name), value);

    public void Set(string name, long? value) => Bind(Ordinal(name), value);

    public void Set(string name, double? value) => Bind(Ordinal(name), value);

    /// <summary>A boolean column: an integer 0 or 1 on SQLite, a boolean on PostgreSQL.</summary>
    public void Set(string name, bool value) => BindBoolean(Ordinal(name), value);

    /// <summary>Runs the statement; returns the rows it changed.</summary>
    public abstract ValueTask<int> ExecuteAsync(CancellationToken cancellationToken);

    /// <summary>Runs the statement; returns the first column of its first row (a <c>RETURNING</c>) as an integer.</summary>
    public abstract ValueTask<long> ExecuteScalarAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    private protected abstract void Bind(int ordinal, string? value);

    private protected abstract void Bind(int ordinal, long? value);

    private protected abstract void Bind(int ordinal, double? value);

    private protected abstract void BindBoolean(int ordinal, bool value);

    private int Ordinal(string name) => _ordinals.TryGetValue(name, out var ordinal)
        ? ordinal
        : throw new ArgumentException($"The statement declares no parameter {name}.", nameof(name));

    /// <summary>A statement compiled on SQLite's own handle, its values bound by position.</summary>
    private sealed class SqliteStatement : CacheStatement
    {
        private const int Row = 100;
        private const int Done = 101;

        private readonly sqlite3 _database;
        private readonly sqlite3_stmt _statement;
        private readonly int[] _positions;

        public SqliteStatement(sqlite3 database, string sql, string[] parameters)
            : base(parameters)
        {
            _database = database;
            var rc = raw.sqlite3_prepare_v2(database, sql, out _statement, out var tail);
            SqliteException.ThrowExceptionForRC(rc, database);
            if (!string.IsNullOrWhiteSpace(tail))
            {
                _statement.Dispose();
                throw new ArgumentException("A cache statement is one SQL statement.", nameof(sql));
            }

            _positions = new int[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                _positions[i] = raw.sqlite3_bind_parameter_index(_statement, parameters[i]);
                if (_positions[i] == 0)
                {
                    _statement.Dispose();
                    throw new ArgumentException($"The statement does not use its parameter {parameters[i]}.", nameof(parameters));
                }
            }
        }

        public override ValueTask<int> ExecuteAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Run(out _);
            return ValueTask.FromResult(raw.sqlite3_changes(_database));
        }

        public override ValueTask<long> ExecuteScalarAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Run(out var first);
            return ValueTask.FromResult(first);
        }

        public override ValueTask DisposeAsync()
        {
            _statement.Dispose();
            return ValueTask.CompletedTask;
        }

        private protected override void Bind(int ordinal, string? value) => Check(value is null
            ? raw.sqlite3_bind_null(_statement, _positions[ordinal])
            : raw.sqlite3_bind_text(_statement, _positions[ordinal], value));

        private protected override void Bind(int ordinal, long? value) => Check(value is { } number
            ? raw.sqlite3_bind_int64(_statement, _positions[ordinal], number)
            : raw.sqlite3_bind_null(_statement, _positions[ordinal]));

        private protected override void Bind(int ordinal, double? value) => Check(value is { } number
            ? raw.sqlite3_bind_double(_statement, _positions[ordinal], number)
            : raw.sqlite3_bind_null(_statement, _positions[ordinal]));

        private protected override void BindBoolean(int ordinal, bool value) => Bind(ordinal, value ? 1 : 0);

        /// <summary>Steps the statement to its end (every row of a <c>RETURNING</c>), keeping the first value.</summary>
        private void Run(out long first)
        {
            first = 0;
            var rc = raw.sqlite3_step(_statement);
            if (rc == Row)
            {
                first = raw.sqlite3_column_int64(_statement, 0);
                while (rc == Row)
                {
                    rc = raw.sqlite3_step(_statement);
                }
            }

            if (rc != Done)
            {
                // The message is the connection's until the reset, which returns the same code.
                var error = new SqliteException(raw.sqlite3_errmsg(_database).utf8_to_string(), rc, raw.sqlite3_extended_errcode(_database));
                raw.sqlite3_reset(_statement);
                throw error;
            }

            raw.sqlite3_reset(_statement);
        }

        private void Check(int rc) => SqliteException.ThrowExceptionForRC(rc, _database);
    }

    /// <summary>An ordinary command, for PostgreSQL.</summary>
    private sealed class CommandStatement : CacheStatement
    {
        private readonly DbCommand _command;

        public CommandStatement(DbConnection connection, DbTransaction transaction, string sql, string[] parameters)
            : base(parameters)
        {
            _command = connection.CreateCommand();
            _command.Transaction = transaction;
            _command.CommandText = sql;
            foreach (var name in parameters)
            {
                var parameter = _command.CreateParameter();
                parameter.ParameterName = name;
                _command.Parameters.Add(parameter);
            }
        }

        public override async ValueTask<int> ExecuteAsync(CancellationToken cancellationToken) =>
            await _command.ExecuteNonQueryAsync(cancellationToken);

        public override async ValueTask<long> ExecuteScalarAsync(CancellationToken cancellationToken) =>
            DbCommandExtensions.AsInt64(await _command.ExecuteScalarAsync(cancellationToken));

        public override ValueTask DisposeAsync() => _command.DisposeAsync();

        private protected override void Bind(int ordinal, string? value) => Value(ordinal, value, DbType.String);

        private protected override void Bind(int ordinal, long? value) => Value(ordinal, value, DbType.Int64);

        private protected override void Bind(int ordinal, double? value) => Value(ordinal, value, DbType.Double);

        private protected override void BindBoolean(int ordinal, bool value) => Value(ordinal, value, DbType.Boolean);

        /// <summary>A null keeps a type, as PostgreSQL must know every parameter's.</summary>
        private void Value(int ordinal, object? value, DbType type)
        {
            var parameter = _command.Parameters[ordinal];
            parameter.DbType = type;
            parameter.Value = value ?? DBNull.Value;
        }
    }
}
