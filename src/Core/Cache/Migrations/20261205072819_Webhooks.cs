using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.Migrations
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
                    connection_id = table.Column<string>(type: "TEXT", nullable: false),
                    webhook_id = table.Column<string>(type: "TEXT", nullable: false),
                    event_type = table.Column<string>(type: "TEXT", nullable: true),
                    batch_id = table.Column<string>(type: "TEXT", nullable: true),
                    received_at = table.Column<long>(type: "INTEGER", nullable: false)
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
