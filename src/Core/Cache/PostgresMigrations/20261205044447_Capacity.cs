using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.PostgresMigrations
{
    /// <inheritdoc />
    public partial class Capacity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "input_tokens",
                columns: table => new
                {
                    connection_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    file_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    model = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    encoding = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    estimated = table.Column<bool>(type: "boolean", nullable: false),
                    tokens = table.Column<long>(type: "bigint", nullable: true),
                    requests = table.Column<int>(type: "integer", nullable: false),
                    counted_at = table.Column<long>(type: "bigint", nullable: true),
                    error = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    attempted_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_input_tokens", x => new { x.connection_id, x.file_id });
                });

            migrationBuilder.CreateTable(
                name: "learned_limits",
                columns: table => new
                {
                    connection_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    model = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    tokens = table.Column<long>(type: "bigint", nullable: false),
                    batch_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    learned_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_learned_limits", x => new { x.connection_id, x.model });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "input_tokens");

            migrationBuilder.DropTable(
                name: "learned_limits");
        }
    }
}
