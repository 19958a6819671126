using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace BatchDashboard.Core.Cache.PostgresMigrations
{
    /// <inheritdoc />
    public partial class Notifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "batch_events",
                columns: table => new
                {
                    key = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    connection_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    batch_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    kind = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    occurred_at = table.Column<long>(type: "bigint", nullable: false),
                    matched = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batch_events", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "notification_deliveries",
                columns: table => new
                {
                    key = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    event_key = table.Column<long>(type: "bigint", nullable: false),
                    connection_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    batch_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    kind = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    rule = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    channel = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    state = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<long>(type: "bigint", nullable: true),
                    last_attempt_at = table.Column<long>(type: "bigint", nullable: true),
                    answer = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    created_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_notification_deliveries", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "notification_rules",
                columns: table => new
                {
                    key = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    events = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    connection_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    endpoint = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    model = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    metadata = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    channels = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    updated_by = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    updated_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_notification_rules", x => x.key);
                });

            migrationBuilder.CreateIndex(
                name: "ix_batch_events_unmatched",
                table: "batch_events",
                columns: new[] { "matched", "key" });

            migrationBuilder.CreateIndex(
                name: "ux_batch_events",
                table: "batch_events",
                columns: new[] { "connection_id", "batch_id", "kind" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_notification_deliveries_due",
                table: "notification_deliveries",
                columns: new[] { "state", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ux_notification_deliveries",
                table: "notification_deliveries",
                columns: new[] { "event_key", "rule", "channel" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_notification_rules_name",
                table: "notification_rules",
                column: "name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "batch_events");

            migrationBuilder.DropTable(
                name: "notification_deliveries");

            migrationBuilder.DropTable(
                name: "notification_rules");
        }
    }
}
