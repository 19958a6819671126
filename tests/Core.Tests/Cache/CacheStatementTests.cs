using BatchDashboard.Core.Cache;
using BatchDashboard.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace BatchDashboard.Core.Tests.Cache;

/// <summary>A statement run many times in a transaction, on SQLite's handle: values, returned keys, errors, rollback.</summary>
public sealed class CacheStatementTests : IDisposable
{
    private readonly TemporaryDatabase _database = new();
    private readonly SqliteConnection _connection;

    public CacheStatementTests()
    {
        _connection = new SqliteConnection(_database.ConnectionString);
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = "CREATE TABLE items (key INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, size INTEGER, flag INTEGER NOT NULL);";
        create.ExecuteNonQuery();
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _connection.Dispose();
        _database.Dispose();
    }

    private long Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task RunsManyTimes_BindingEachValue_AndReturnsKeysAndChanges()
    {
        await using (var transaction = _connection.BeginTransaction())
        {
            await using var insert = CacheStatement.Prepare(_connection, transaction,
                "INSERT INTO items (name, size, flag) VALUES (@name, @size, @flag) RETURNING key", "@name", "@size", "@flag");
            for (var i = 0; i < 3; i++)
            {
                insert.Set("@name", $"item {i}");
                insert.Set("@size", i == 1 ? null : i * 10L);
                insert.Set("@flag", i == 2);
                Assert.Equal(i + 1, await insert.ExecuteScalarAsync(Token));
            }

            await using var update = CacheStatement.Prepare(_connection, transaction, "UPDATE items SET size = @size WHERE size IS NULL OR size < @size", "@size");
            update.Set("@size", 15L);
            Assert.Equal(2, await update.ExecuteAsync(Token));
            transaction.Commit();
        }

        Assert.Equal(3, Scalar("SELECT COUNT(*) FROM items"));
        Assert.Equal(15 + 15 + 20, Scalar("SELECT SUM(size) FROM items"));
        Assert.Equal(1, Scalar("SELECT SUM(flag) FROM items"));
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM items WHERE name = 'item 2' AND flag = 1"));
    }

    [Fact]
    public async Task AFailedRun_ThrowsSqlitesError_TheStatementRunsAgain_AndARollbackKeepsNothing()
    {
        await using (var transaction = _connection.BeginTransaction())
        {
            await using var insert = CacheStatement.Prepare(_connection, transaction, "INSERT INTO items (name, flag) VALUES (@name, 0)", "@name");
            insert.Set("@name", "same");
            await insert.ExecuteAsync(Token);

            var error = await Assert.ThrowsAsync<SqliteException>(async () => await insert.ExecuteAsync(Token));
            Assert.Contains("UNIQUE constraint failed: items.name", error.Message, StringComparison.Ordinal);
            Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT

            insert.Set("@name", "other");
            Assert.Equal(1, await insert.ExecuteAsync(Token));
            transaction.Rollback();
        }

        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM items"));
    }

    [Fact]
    public async Task MistakesInTheStatement_AreNamed()
    {
        await using var transaction = _connection.BeginTransaction();

        Assert.Contains("@nope", Assert.Throws<ArgumentException>(() =>
            CacheStatement.Prepare(_connection, transaction, "SELECT @name", "@name", "@nope")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => CacheStatement.Prepare(_connection, transaction, "SELECT 1; SELECT 2"));
        Assert.Contains("no such table", Assert.Throws<SqliteException>(() =>
            CacheStatement.Prepare(_connection, transaction, "SELECT * FROM nowhere")).Message, StringComparison.Ordinal);
        await using var statement = CacheStatement.Prepare(_connection, transaction, "SELECT @name", "@name");
        Assert.Contains("@other", Assert.Throws<ArgumentException>(() => statement.Set("@other", "x")).Message, StringComparison.Ordinal);
    }
}
