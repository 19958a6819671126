using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.Migrations
{
    /// <inheritdoc />
    public partial class Insights : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "insight_days",
                columns: table => new
                {
                    meta_key = table.Column<string>(type: "TEXT", nullable: false),
                    meta_value = table.Column<string>(type: "TEXT", nullable: false),
                    day = table.Column<long>(type: "INTEGER", nullable: false),
                    connection_id = table.Column<string>(type: "TEXT", nullable: false),
                    endpoint = table.Column<string>(type: "TEXT", nullable: false),
                    model = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", nullable: false),
                    batches = table.Column<long>(type: "INTEGER", nullable: false),
                    requests = table.Column<long>(type: "INTEGER", nullable: false),
                    completed = table.Column<long>(type: "INTEGER", nullable: false),
                    failed = table.Column<long>(type: "INTEGER", nullable: false),
                    unrun = table.Column<long>(type: "INTEGER", nullable: false),
                    input_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    cached_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    output_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    unrun_input_tokens = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_insight_days", x => new { x.meta_key, x.meta_value, x.day, x.connection_id, x.endpoint, x.model, x.status });
                });

            migrationBuilder.CreateTable(
                name: "insight_durations",
                columns: table => new
                {
                    meta_key = table.Column<string>(type: "TEXT", nullable: false),
                    meta_value = table.Column<string>(type: "TEXT", nullable: false),
                    day = table.Column<long>(type: "INTEGER", nullable: false),
                    connection_id = table.Column<string>(type: "TEXT", nullable: false),
                    endpoint = table.Column<string>(type: "TEXT", nullable: false),
                    model = table.Column<string>(type: "TEXT", nullable: false),
                    size_bucket = table.Column<int>(type: "INTEGER", nullable: false),
                    batches = table.Column<long>(type: "INTEGER", nullable: false),
                    turnaround = table.Column<string>(type: "TEXT", nullable: false),
                    validating = table.Column<string>(type: "TEXT", nullable: false),
                    in_progress = table.Column<string>(type: "TEXT", nullable: false),
                    finalizing = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_insight_durations", x => new { x.meta_key, x.meta_value, x.day, x.connection_id, x.endpoint, x.model, x.size_bucket });
                });

            migrationBuilder.CreateTable(
                name: "insight_error_batches",
                columns: table => new
                {
                    batch_key = table.Column<long>(type: "INTEGER", nullable: false),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    requests = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_insight_error_batches", x => new { x.batch_key, x.code });
                    table.ForeignKey(
                        name: "FK_insight_error_batches_batches_batch_key",
                        column: x => x.batch_key,
                        principalTable: "batches",
                        principalColumn: "key",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "insight_errors",
                columns: table => new
                {
                    meta_key = table.Column<string>(type: "TEXT", nullable: false),
                    meta_value = table.Column<string>(type: "TEXT", nullable: false),
                    day = table.Column<long>(type: "INTEGER", nullable: false),
                    connection_id = table.Column<string>(type: "TEXT", nullable: false),
                    endpoint = table.Column<string>(type: "TEXT", nullable: false),
                    model = table.Column<string>(type: "TEXT", nullable: false),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    requests = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_insight_errors", x => new { x.meta_key, x.meta_value, x.day, x.connection_id, x.endpoint, x.model, x.code });
                });

            migrationBuilder.CreateTable(
                name: "insight_states",
                columns: table => new
                {
                    connection_id = table.Column<string>(type: "TEXT", nullable: false),
                    counted_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_insight_states", x => x.connection_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_insight_days_key_day",
                table: "insight_days",
                columns: new[] { "meta_key", "day" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "insight_days");

            migrationBuilder.DropTable(
                name: "insight_durations");

            migrationBuilder.DropTable(
                name: "insight_error_batches");

            migrationBuilder.DropTable(
                name: "insight_errors");

            migrationBuilder.DropTable(
                name: "insight_states");
        }
    }
}
