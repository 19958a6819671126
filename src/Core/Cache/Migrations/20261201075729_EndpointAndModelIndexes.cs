using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.Migrations
{
    /// <inheritdoc />
    public partial class EndpointAndModelIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_batches_endpoint_status",
                table: "batches",
                columns: new[] { "endpoint", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_batches_model_status",
                table: "batches",
                columns: new[] { "model", "status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_batches_endpoint_status",
                table: "batches");

            migrationBuilder.DropIndex(
                name: "ix_batches_model_status",
                table: "batches");
        }
    }
}
