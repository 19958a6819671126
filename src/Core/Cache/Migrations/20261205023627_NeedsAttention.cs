using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.Migrations
{
    /// <summary>
    /// The "needs attention" filter's columns: the alarms that hold whatever the clock and settings (<c>alarm</c>) and
    /// the failed share (<c>failed_share</c>), filled here from the columns as <c>BatchAttention</c> computes them, and
    /// the current phase of running batches (filled at start-up from their documents, <c>BatchStore.FillPhasesAsync</c>).
    /// </summary>
    public partial class NeedsAttention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "alarm",
                table: "batches",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<double>(
                name: "failed_share",
                table: "batches",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "phase",
                table: "batches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "phase_started_at",
                table: "batches",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.Sql("""
                UPDATE batches SET
                    alarm = CASE WHEN status = 'failed'
                        OR (status = 'completed' AND ((COALESCE(request_failed, 0) > 0 AND COALESCE(request_completed, 0) = 0) OR COALESCE(output_file_id, '') = ''))
                        OR (is_terminal = 1 AND COALESCE(request_completed, 0) + COALESCE(request_failed, 0) <> COALESCE(request_total, 0)
                            AND NOT (status IN ('expired', 'cancelled', 'failed')
                                     AND COALESCE(request_total, 0) - COALESCE(request_completed, 0) - COALESCE(request_failed, 0) > 0))
                        THEN 1 ELSE 0 END,
                    failed_share = CASE WHEN COALESCE(request_failed, 0) > 0
                        THEN CAST(request_failed AS REAL) / (request_failed + MAX(0, COALESCE(request_completed, 0))) END;
                """);

            migrationBuilder.CreateIndex(
                name: "ix_batches_alarm",
                table: "batches",
                columns: new[] { "alarm", "connection_id", "endpoint", "model" },
                filter: "alarm = 1");

            migrationBuilder.CreateIndex(
                name: "ix_batches_failed_share",
                table: "batches",
                columns: new[] { "failed_share", "alarm", "connection_id", "endpoint", "model" },
                filter: "failed_share IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_batches_alarm",
                table: "batches");

            migrationBuilder.DropIndex(
                name: "ix_batches_failed_share",
                table: "batches");

            // SQLite's own DROP COLUMN: EF's way rebuilds the table, which loses its triggers (migration FacetCounts).
            migrationBuilder.Sql("ALTER TABLE batches DROP COLUMN alarm;");
            migrationBuilder.Sql("ALTER TABLE batches DROP COLUMN failed_share;");
            migrationBuilder.Sql("ALTER TABLE batches DROP COLUMN phase;");
            migrationBuilder.Sql("ALTER TABLE batches DROP COLUMN phase_started_at;");
        }
    }
}
