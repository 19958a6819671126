using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.Migrations
{
    /// <summary>
    /// The "needs attention" filter: which batches could need it (<c>watch</c>, filled here from the columns, as
    /// <c>BatchAttention.MayNeed</c> says), and the current phase of running batches (filled at start-up from their
    /// documents, <c>BatchStore.FillPhasesAsync</c>).
    /// </summary>
    public partial class NeedsAttention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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

            migrationBuilder.AddColumn<bool>(
                name: "watch",
                table: "batches",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.Sql("""
                UPDATE batches SET watch = 1
                WHERE is_terminal = 0 OR status = 'failed' OR (status = 'completed' AND COALESCE(output_file_id, '') = '')
                   OR COALESCE(request_failed, 0) > 0
                   OR COALESCE(request_completed, 0) + COALESCE(request_failed, 0) <> COALESCE(request_total, 0);
                """);

            migrationBuilder.CreateIndex(
                name: "ix_batches_watch",
                table: "batches",
                columns: new[] { "created_at", "id" },
                filter: "watch = 1");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_batches_watch",
                table: "batches");

            // SQLite's own DROP COLUMN: EF's way rebuilds the table, which loses its triggers (migration FacetCounts).
            migrationBuilder.Sql("ALTER TABLE batches DROP COLUMN phase;");
            migrationBuilder.Sql("ALTER TABLE batches DROP COLUMN phase_started_at;");
            migrationBuilder.Sql("ALTER TABLE batches DROP COLUMN watch;");
        }
    }
}
