using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.Migrations
{
    /// <summary>
    /// Batches per connection and status, kept exact by triggers in the same transaction as every write, so the
    /// list header's counts are a read of a few rows instead of a scan of every batch. An unknown status counts
    /// under its raw name, as the header shows it.
    /// </summary>
    public partial class StatusCounts : Migration
    {
        private const string Name = "CASE WHEN {0}.status = 'unknown' THEN {0}.status_raw ELSE {0}.status END";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            var oldName = string.Format(System.Globalization.CultureInfo.InvariantCulture, Name, "OLD");
            var newName = string.Format(System.Globalization.CultureInfo.InvariantCulture, Name, "NEW");
            migrationBuilder.Sql("""
                CREATE TABLE batch_status_counts (
                    connection_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    PRIMARY KEY (connection_id, name)) WITHOUT ROWID;
                """);
            migrationBuilder.Sql($"""
                INSERT INTO batch_status_counts (connection_id, name, count)
                SELECT connection_id, {string.Format(System.Globalization.CultureInfo.InvariantCulture, Name, "batches")}, COUNT(*) FROM batches GROUP BY 1, 2;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER tr_batches_count_insert AFTER INSERT ON batches BEGIN
                    INSERT INTO batch_status_counts (connection_id, name, count) VALUES (NEW.connection_id, {newName}, 1)
                    ON CONFLICT (connection_id, name) DO UPDATE SET count = count + 1;
                END;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER tr_batches_count_update AFTER UPDATE OF status, status_raw, connection_id ON batches
                WHEN OLD.connection_id IS NOT NEW.connection_id OR {oldName} IS NOT {newName} BEGIN
                    UPDATE batch_status_counts SET count = count - 1 WHERE connection_id = OLD.connection_id AND name = {oldName};
                    INSERT INTO batch_status_counts (connection_id, name, count) VALUES (NEW.connection_id, {newName}, 1)
                    ON CONFLICT (connection_id, name) DO UPDATE SET count = count + 1;
                END;
                """);
            migrationBuilder.Sql($"""
                CREATE TRIGGER tr_batches_count_delete AFTER DELETE ON batches BEGIN
                    UPDATE batch_status_counts SET count = count - 1 WHERE connection_id = OLD.connection_id AND name = {oldName};
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER tr_batches_count_delete;");
            migrationBuilder.Sql("DROP TRIGGER tr_batches_count_update;");
            migrationBuilder.Sql("DROP TRIGGER tr_batches_count_insert;");
            migrationBuilder.Sql("DROP TABLE batch_status_counts;");
        }
    }
}
