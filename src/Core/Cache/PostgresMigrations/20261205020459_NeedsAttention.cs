using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.PostgresMigrations
{
    /// <summary>The "needs attention" filter's columns and index, filled as on SQLite.</summary>
    public partial class NeedsAttention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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

            migrationBuilder.AddColumn<bool>(
                name: "watch",
                table: "batches",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.Sql("""
                UPDATE batches SET watch = TRUE
                WHERE is_terminal = FALSE OR status = 'failed' OR (status = 'completed' AND COALESCE(output_file_id, '') = '')
                   OR COALESCE(request_failed, 0) > 0
                   OR COALESCE(request_completed, 0) + COALESCE(request_failed, 0) <> COALESCE(request_total, 0);
                """);

            migrationBuilder.CreateIndex(
                name: "ix_batches_watch",
                table: "batches",
                columns: new[] { "created_at", "id" },
                filter: "watch = TRUE");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_batches_watch",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "phase",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "phase_started_at",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "watch",
                table: "batches");
        }
    }
}
