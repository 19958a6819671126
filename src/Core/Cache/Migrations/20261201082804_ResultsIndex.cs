using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.Migrations
{
    /// <inheritdoc />
    public partial class ResultsIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "result_files",
                columns: table => new
                {
                    key = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    batch_key = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", nullable: false),
                    file_id = table.Column<string>(type: "TEXT", nullable: false),
                    state = table.Column<string>(type: "TEXT", nullable: false),
                    bytes_total = table.Column<long>(type: "INTEGER", nullable: true),
                    bytes_read = table.Column<long>(type: "INTEGER", nullable: false),
                    lines = table.Column<int>(type: "INTEGER", nullable: false),
                    malformed_lines = table.Column<int>(type: "INTEGER", nullable: false),
                    local_path = table.Column<string>(type: "TEXT", nullable: true),
                    error = table.Column<string>(type: "TEXT", nullable: true),
                    model = table.Column<string>(type: "TEXT", nullable: true),
                    indexed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    expired_upstream = table.Column<bool>(type: "INTEGER", nullable: false),
                    upstream_expires_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_result_files", x => x.key);
                    table.ForeignKey(
                        name: "FK_result_files_batches_batch_key",
                        column: x => x.batch_key,
                        principalTable: "batches",
                        principalColumn: "key",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "result_problems",
                columns: table => new
                {
                    key = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    batch_key = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", nullable: false),
                    line = table.Column<int>(type: "INTEGER", nullable: false),
                    message = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_result_problems", x => x.key);
                    table.ForeignKey(
                        name: "FK_result_problems_batches_batch_key",
                        column: x => x.batch_key,
                        principalTable: "batches",
                        principalColumn: "key",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "result_requests",
                columns: table => new
                {
                    key = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    batch_key = table.Column<long>(type: "INTEGER", nullable: false),
                    custom_id = table.Column<string>(type: "TEXT", nullable: false),
                    position = table.Column<long>(type: "INTEGER", nullable: false),
                    input_line = table.Column<int>(type: "INTEGER", nullable: true),
                    input_offset = table.Column<long>(type: "INTEGER", nullable: true),
                    input_length = table.Column<int>(type: "INTEGER", nullable: true),
                    result_kind = table.Column<string>(type: "TEXT", nullable: true),
                    result_line = table.Column<int>(type: "INTEGER", nullable: true),
                    result_offset = table.Column<long>(type: "INTEGER", nullable: true),
                    result_length = table.Column<int>(type: "INTEGER", nullable: true),
                    outcome = table.Column<int>(type: "INTEGER", nullable: false),
                    status_code = table.Column<int>(type: "INTEGER", nullable: true),
                    error_code = table.Column<string>(type: "TEXT", nullable: true),
                    error_message = table.Column<string>(type: "TEXT", nullable: true),
                    input_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    cached_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    output_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    reasoning_tokens = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_result_requests", x => x.key);
                    table.ForeignKey(
                        name: "FK_result_requests_batches_batch_key",
                        column: x => x.batch_key,
                        principalTable: "batches",
                        principalColumn: "key",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ux_result_files_batch_kind",
                table: "result_files",
                columns: new[] { "batch_key", "kind" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_result_problems_batch",
                table: "result_problems",
                columns: new[] { "batch_key", "kind", "line" });

            migrationBuilder.CreateIndex(
                name: "ix_result_requests_error_code",
                table: "result_requests",
                columns: new[] { "batch_key", "error_code", "position" });

            migrationBuilder.CreateIndex(
                name: "ix_result_requests_outcome",
                table: "result_requests",
                columns: new[] { "batch_key", "outcome", "position" });

            migrationBuilder.CreateIndex(
                name: "ix_result_requests_position",
                table: "result_requests",
                columns: new[] { "batch_key", "position" });

            migrationBuilder.CreateIndex(
                name: "ux_result_requests_batch_custom_id",
                table: "result_requests",
                columns: new[] { "batch_key", "custom_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "result_files");

            migrationBuilder.DropTable(
                name: "result_problems");

            migrationBuilder.DropTable(
                name: "result_requests");
        }
    }
}
