using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.PostgresMigrations
{
    /// <inheritdoc />
    public partial class Webhooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "webhook_receipts",
                columns: table => new
                {
                    connection_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    webhook_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    event_type = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    batch_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    received_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_receipts", x => new { x.connection_id, x.webhook_id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_receipts_received",
                table: "webhook_receipts",
                columns: new[] { "connection_id", "received_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "webhook_receipts");
        }
    }
}
