using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace BatchDashboard.Core.Cache.PostgresMigrations
{
    /// <inheritdoc />
    public partial class NotificationRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
                name: "ux_notification_rules_name",
                table: "notification_rules",
                column: "name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "notification_rules");
        }
    }
}
