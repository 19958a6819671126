using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.Migrations
{
    /// <summary>
    /// The free-text index: FTS5 with the trigram tokenizer finds any substring of three characters or more in the
    /// ids, file ids and metadata (rowid = batches.key). Contentless, so the text is not stored twice.
    /// </summary>
    public partial class SearchIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "search_indexed",
                table: "sync_states",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.Sql("CREATE VIRTUAL TABLE batch_search USING fts5(text, tokenize = 'trigram', content = '', contentless_delete = 1);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE batch_search;");

            migrationBuilder.DropColumn(
                name: "search_indexed",
                table: "sync_states");
        }
    }
}
