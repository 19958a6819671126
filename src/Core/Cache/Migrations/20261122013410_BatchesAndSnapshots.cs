using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.Migrations
{
    /// <inheritdoc />
    public partial class BatchesAndSnapshots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "batches",
                columns: table => new
                {
                    key = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    connection_id = table.Column<string>(type: "TEXT", nullable: false),
                    id = table.Column<string>(type: "TEXT", nullable: true),
                    status = table.Column<string>(type: "TEXT", nullable: false),
                    status_raw = table.Column<string>(type: "TEXT", nullable: false),
                    is_terminal = table.Column<bool>(type: "INTEGER", nullable: false),
                    endpoint = table.Column<string>(type: "TEXT", nullable: true),
                    model = table.Column<string>(type: "TEXT", nullable: true),
                    input_file_id = table.Column<string>(type: "TEXT", nullable: true),
                    output_file_id = table.Column<string>(type: "TEXT", nullable: true),
                    error_file_id = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    ended_at = table.Column<long>(type: "INTEGER", nullable: true),
                    request_total = table.Column<int>(type: "INTEGER", nullable: true),
                    request_completed = table.Column<int>(type: "INTEGER", nullable: true),
                    request_failed = table.Column<int>(type: "INTEGER", nullable: true),
                    search_text = table.Column<string>(type: "TEXT", nullable: false),
                    first_seen_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batches", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "batch_documents",
                columns: table => new
                {
                    batch_key = table.Column<long>(type: "INTEGER", nullable: false),
                    raw_json = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batch_documents", x => x.batch_key);
                    table.ForeignKey(
                        name: "FK_batch_documents_batches_batch_key",
                        column: x => x.batch_key,
                        principalTable: "batches",
                        principalColumn: "key",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "batch_metadata",
                columns: table => new
                {
                    batch_key = table.Column<long>(type: "INTEGER", nullable: false),
                    key = table.Column<string>(type: "TEXT", nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batch_metadata", x => new { x.batch_key, x.key });
                    table.ForeignKey(
                        name: "FK_batch_metadata_batches_batch_key",
                        column: x => x.batch_key,
                        principalTable: "batches",
                        principalColumn: "key",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "batch_snapshots",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    batch_key = table.Column<long>(type: "INTEGER", nullable: false),
                    observed_at = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", nullable: false),
                    request_total = table.Column<int>(type: "INTEGER", nullable: true),
                    request_completed = table.Column<int>(type: "INTEGER", nullable: true),
                    request_failed = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batch_snapshots", x => x.id);
                    table.ForeignKey(
                        name: "FK_batch_snapshots_batches_batch_key",
                        column: x => x.batch_key,
                        principalTable: "batches",
                        principalColumn: "key",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_batch_metadata_key_value",
                table: "batch_metadata",
                columns: new[] { "key", "value" });

            migrationBuilder.CreateIndex(
                name: "ix_batch_snapshots_batch",
                table: "batch_snapshots",
                columns: new[] { "batch_key", "observed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_batches_active",
                table: "batches",
                columns: new[] { "connection_id", "created_at" },
                filter: "is_terminal = 0");

            migrationBuilder.CreateIndex(
                name: "ix_batches_created",
                table: "batches",
                columns: new[] { "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_batches_status_created",
                table: "batches",
                columns: new[] { "status", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ux_batches_connection_id",
                table: "batches",
                columns: new[] { "connection_id", "id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "batch_documents");

            migrationBuilder.DropTable(
                name: "batch_metadata");

            migrationBuilder.DropTable(
                name: "batch_snapshots");

            migrationBuilder.DropTable(
                name: "batches");
        }
    }
}
