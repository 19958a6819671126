using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.Migrations
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
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "head_mark_id",
                table: "sync_states",
                type: "TEXT",
                nullable: true);
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
