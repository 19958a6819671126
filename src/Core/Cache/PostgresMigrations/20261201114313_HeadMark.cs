using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.PostgresMigrations
{
    /// <inheritdoc />
    public partial class HeadMark : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "head_mark_created_at",
                table: "sync_states",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "head_mark_id",
                table: "sync_states",
                type: "text",
                nullable: true,
                collation: "C");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "head_mark_created_at",
                table: "sync_states");

            migrationBuilder.DropColumn(
                name: "head_mark_id",
                table: "sync_states");
        }
    }
}
