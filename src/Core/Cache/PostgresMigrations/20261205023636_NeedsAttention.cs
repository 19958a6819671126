using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.PostgresMigrations
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
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<double>(
                name: "failed_share",
                table: "batches",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "phase",
                table: "batches",
                type: "text",
                nullable: true,
                collation: "C");

            migrationBuilder.AddColumn<long>(
                name: "phase_started_at",
                table: "batches",
                type: "bigint",
                nullable: true);

            migrationBuilder.Sql("""
                UPDATE batches SET
                    alarm = CASE WHEN status = 'failed'
                        OR (status = 'completed' AND ((COALESCE(request_failed, 0) > 0 AND COALESCE(request_completed, 0) = 0) OR COALESCE(output_file_id, '') = ''))
                        OR (is_terminal = TRUE AND COALESCE(request_completed, 0) + COALESCE(request_failed, 0) <> COALESCE(request_total, 0)
                            AND NOT (status IN ('expired', 'cancelled', 'failed')
                                     AND COALESCE(request_total, 0) - COALESCE(request_completed, 0) - COALESCE(request_failed, 0) > 0))
                        THEN TRUE ELSE FALSE END,
                    failed_share = CASE WHEN COALESCE(request_failed, 0) > 0
                        THEN CAST(request_failed AS DOUBLE PRECISION) / (request_failed + GREATEST(0, COALESCE(request_completed, 0))) END;
                """);

            migrationBuilder.CreateIndex(
                name: "ix_batches_alarm",
                table: "batches",
                columns: new[] { "alarm", "connection_id", "endpoint", "model" },
                filter: "alarm = TRUE");

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

            migrationBuilder.DropColumn(
                name: "alarm",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "failed_share",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "phase",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "phase_started_at",
                table: "batches");
        }
    }
}
