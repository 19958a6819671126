using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.PostgresMigrations
{
    /// <summary>Created order within an endpoint and within a model, for pages filtered by either (as on SQLite).</summary>
    public partial class FilterOrderIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_batches_endpoint_created",
                table: "batches",
                columns: new[] { "endpoint", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_batches_model_created",
                table: "batches",
                columns: new[] { "model", "created_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_batches_endpoint_created",
                table: "batches");

            migrationBuilder.DropIndex(
                name: "ix_batches_model_created",
                table: "batches");
        }
    }
}
