using System.Globalization;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.Migrations
{
    /// <summary>
    /// Two changes that halve what the first import writes besides the batches themselves (docs/PERFORMANCE.md):
    /// <list type="bullet">
    /// <item>The counts the triggers keep are grouped by endpoint and model as well as connection and status
    /// (<c>batch_counts</c>, replacing <c>batch_status_counts</c>), so the header counts under an endpoint or model
    /// filter and the filter choices are read from a few rows; the two indexes that served them go. Each index
    /// took a write to a page per endpoint (or model) and status in every page of batches stored.</item>
    /// <item><c>batch_metadata</c> is stored in its primary key's order (<c>WITHOUT ROWID</c>): a pair is one
    /// table entry instead of a row and its key's index.</item>
    /// </list>
    /// A batch without an endpoint or model is counted under the empty text.
    /// </summary>
    public partial class FacetCounts : Migration
    {
        private const string Name = "CASE WHEN {0}.status = 'unknown' THEN {0}.status_raw ELSE {0}.status END";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_batches_endpoint_status",
                table: "batches");

            migrationBuilder.DropIndex(
                name: "ix_batches_model_status",
                table: "batches");

            DropTriggers(migrationBuilder);
            migrationBuilder.Sql("""
                CREATE TABLE batch_counts (
                    connection_id TEXT NOT NULL,
                    endpoint TEXT NOT NULL,
                    model TEXT NOT NULL,
                    name TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    PRIMARY KEY (connection_id, endpoint, model, name)) WITHOUT ROWID;
                """);
            CreateTriggers(migrationBuilder, "batch_counts", ["connection_id", "endpoint", "model"]);
            migrationBuilder.Sql("DROP TABLE batch_status_counts;");

            RebuildMetadata(migrationBuilder, " WITHOUT ROWID");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            RebuildMetadata(migrationBuilder, "");

            DropTriggers(migrationBuilder);
            migrationBuilder.Sql("""
                CREATE TABLE batch_status_counts (
                    connection_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    PRIMARY KEY (connection_id, name)) WITHOUT ROWID;
                """);
            CreateTriggers(migrationBuilder, "batch_status_counts", ["connection_id"]);
            migrationBuilder.Sql("DROP TABLE batch_counts;");

            migrationBuilder.CreateIndex(
                name: "ix_batches_endpoint_status",
                table: "batches",
                columns: new[] { "endpoint", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_batches_model_status",
                table: "batches",
                columns: new[] { "model", "status" });
        }

        private static void DropTriggers(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER tr_batches_count_insert;");
            migrationBuilder.Sql("DROP TRIGGER tr_batches_count_update;");
            migrationBuilder.Sql("DROP TRIGGER tr_batches_count_delete;");
        }

        /// <summary>
        /// Fills <paramref name="table"/> with the batches counted by <paramref name="groups"/> and status name, and
        /// the triggers that keep it exact in the same transaction as every write.
        /// </summary>
        private static void CreateTriggers(MigrationBuilder migrationBuilder, string table, string[] groups)
        {
            // connection_id is never null; endpoint and model may be, and count under ''.
            string Value(string row, string column) => column == "connection_id" ? $"{row}.{column}" : $"COALESCE({row}.{column}, '')";
            string Values(string row) => string.Join(", ", groups.Select(column => Value(row, column))) + ", "
                + string.Format(CultureInfo.InvariantCulture, Name, row);
            string Match(string row) => string.Join(" AND ", groups.Select(column => $"{column} = {Value(row, column)}")) + " AND name = "
                + string.Format(CultureInfo.InvariantCulture, Name, row);
            var columns = string.Join(", ", groups);
            var changed = string.Join(" OR ", groups.Select(column => $"OLD.{column} IS NOT NEW.{column}"))
                + $" OR {string.Format(CultureInfo.InvariantCulture, Name, "OLD")} IS NOT {string.Format(CultureInfo.InvariantCulture, Name, "NEW")}";
            var increment = $"""
                INSERT INTO {table} ({columns}, name, count) VALUES ({Values("NEW")}, 1)
                    ON CONFLICT ({columns}, name) DO UPDATE SET count = count + 1;
                """;
            var decrement = $"UPDATE {table} SET count = count - 1 WHERE {Match("OLD")};";

            migrationBuilder.Sql($"INSERT INTO {table} ({columns}, name, count) SELECT {Values("batches")}, COUNT(*) FROM batches GROUP BY {string.Join(", ", Enumerable.Range(1, groups.Length + 1))};");
            migrationBuilder.Sql($"""
                CREATE TRIGGER tr_batches_count_insert AFTER INSERT ON batches BEGIN
                    {increment}
                END;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER tr_batches_count_update AFTER UPDATE OF status, status_raw, {columns} ON batches
                WHEN {changed} BEGIN
                    {decrement}
                    {increment}
                END;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER tr_batches_count_delete AFTER DELETE ON batches BEGIN
                    {decrement}
                END;
                """);
        }

        /// <summary>Copies batch_metadata into a table of the same columns and keys, with <paramref name="options"/>.</summary>
        private static void RebuildMetadata(MigrationBuilder migrationBuilder, string options)
        {
            migrationBuilder.Sql($"""
                CREATE TABLE batch_metadata_rebuilt (
                    batch_key INTEGER NOT NULL,
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    CONSTRAINT PK_batch_metadata PRIMARY KEY (batch_key, key),
                    CONSTRAINT FK_batch_metadata_batches_batch_key FOREIGN KEY (batch_key) REFERENCES batches (key) ON DELETE CASCADE){options};
                """);
            migrationBuilder.Sql("INSERT INTO batch_metadata_rebuilt (batch_key, key, value) SELECT batch_key, key, value FROM batch_metadata;");
            migrationBuilder.Sql("DROP TABLE batch_metadata;");
            migrationBuilder.Sql("ALTER TABLE batch_metadata_rebuilt RENAME TO batch_metadata;");
            migrationBuilder.Sql("CREATE INDEX ix_batch_metadata_key_value ON batch_metadata (key, value);");
        }
    }
}
