using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace BatchDashboard.Core.Cache.PostgresMigrations
{
    /// <summary>
    /// The whole cache in PostgreSQL, as the SQLite migrations built it up, with PostgreSQL's own means where SQLite's
    /// do not exist: a trigram index (pg_trgm) on the searchable text instead of an FTS5 table, and the status counts
    /// kept by one trigger function. The lease and data-protection keys make several instances share the database.
    /// </summary>
    public partial class InitialPostgres : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    at = table.Column<long>(type: "bigint", nullable: false),
                    user = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    action = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    connection_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    target = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    result = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    detail = table.Column<string>(type: "text", nullable: true, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "batches",
                columns: table => new
                {
                    key = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    connection_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    status = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    status_raw = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    is_terminal = table.Column<bool>(type: "boolean", nullable: false),
                    endpoint = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    model = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    input_file_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    output_file_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    error_file_id = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    created_at = table.Column<long>(type: "bigint", nullable: false),
                    expires_at = table.Column<long>(type: "bigint", nullable: true),
                    ended_at = table.Column<long>(type: "bigint", nullable: true),
                    request_total = table.Column<int>(type: "integer", nullable: true),
                    request_completed = table.Column<int>(type: "integer", nullable: true),
                    request_failed = table.Column<int>(type: "integer", nullable: true),
                    search_text = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    first_seen_at = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batches", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    friendly_name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    xml = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sync_leases",
                columns: table => new
                {
                    name = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    holder = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    acquired_at = table.Column<long>(type: "bigint", nullable: false),
                    expires_at = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sync_leases", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "sync_states",
                columns: table => new
                {
                    connection_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    last_success_at = table.Column<long>(type: "bigint", nullable: true),
                    last_attempt_at = table.Column<long>(type: "bigint", nullable: true),
                    last_error = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    initial_import_complete = table.Column<bool>(type: "boolean", nullable: false),
                    import_cursor = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    search_indexed = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sync_states", x => x.connection_id);
                });

            migrationBuilder.CreateTable(
                name: "batch_documents",
                columns: table => new
                {
                    batch_key = table.Column<long>(type: "bigint", nullable: false),
                    raw_json = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batch_documents", x => x.batch_key);
                    table.ForeignKey(
                        name: "FK_batch_documents_batches_batch_key",
                        column: x => x.batch_key,
                        principalTable: "batches",
                        principalColumn: "key",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "batch_metadata",
                columns: table => new
                {
                    batch_key = table.Column<long>(type: "bigint", nullable: false),
                    key = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    value = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batch_metadata", x => new { x.batch_key, x.key });
                    table.ForeignKey(
                        name: "FK_batch_metadata_batches_batch_key",
                        column: x => x.batch_key,
                        principalTable: "batches",
                        principalColumn: "key",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "batch_snapshots",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    batch_key = table.Column<long>(type: "bigint", nullable: false),
                    observed_at = table.Column<long>(type: "bigint", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    request_total = table.Column<int>(type: "integer", nullable: true),
                    request_completed = table.Column<int>(type: "integer", nullable: true),
                    request_failed = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batch_snapshots", x => x.id);
                    table.ForeignKey(
                        name: "FK_batch_snapshots_batches_batch_key",
                        column: x => x.batch_key,
                        principalTable: "batches",
                        principalColumn: "key",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "result_files",
                columns: table => new
                {
                    key = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    batch_key = table.Column<long>(type: "bigint", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    file_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    state = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    bytes_total = table.Column<long>(type: "bigint", nullable: true),
                    bytes_read = table.Column<long>(type: "bigint", nullable: false),
                    lines = table.Column<int>(type: "integer", nullable: false),
                    malformed_lines = table.Column<int>(type: "integer", nullable: false),
                    local_path = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    error = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    model = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    indexed_at = table.Column<long>(type: "bigint", nullable: true),
                    expired_upstream = table.Column<bool>(type: "boolean", nullable: false),
                    upstream_expires_at = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_result_files", x => x.key);
                    table.ForeignKey(
                        name: "FK_result_files_batches_batch_key",
                        column: x => x.batch_key,
                        principalTable: "batches",
                        principalColumn: "key",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "result_problems",
                columns: table => new
                {
                    key = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    batch_key = table.Column<long>(type: "bigint", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    line = table.Column<int>(type: "integer", nullable: false),
                    message = table.Column<string>(type: "text", nullable: false, collation: "C")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_result_problems", x => x.key);
                    table.ForeignKey(
                        name: "FK_result_problems_batches_batch_key",
                        column: x => x.batch_key,
                        principalTable: "batches",
                        principalColumn: "key",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "result_requests",
                columns: table => new
                {
                    key = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    batch_key = table.Column<long>(type: "bigint", nullable: false),
                    custom_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    position = table.Column<long>(type: "bigint", nullable: false),
                    input_line = table.Column<int>(type: "integer", nullable: true),
                    input_offset = table.Column<long>(type: "bigint", nullable: true),
                    input_length = table.Column<int>(type: "integer", nullable: true),
                    result_kind = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    result_line = table.Column<int>(type: "integer", nullable: true),
                    result_offset = table.Column<long>(type: "bigint", nullable: true),
                    result_length = table.Column<int>(type: "integer", nullable: true),
                    outcome = table.Column<int>(type: "integer", nullable: false),
                    status_code = table.Column<int>(type: "integer", nullable: true),
                    error_code = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    error_message = table.Column<string>(type: "text", nullable: true, collation: "C"),
                    input_tokens = table.Column<long>(type: "bigint", nullable: false),
                    cached_tokens = table.Column<long>(type: "bigint", nullable: false),
                    output_tokens = table.Column<long>(type: "bigint", nullable: false),
                    reasoning_tokens = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_result_requests", x => x.key);
                    table.ForeignKey(
                        name: "FK_result_requests_batches_batch_key",
                        column: x => x.batch_key,
                        principalTable: "batches",
                        principalColumn: "key",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_batch_metadata_key_value",
                table: "batch_metadata",
                columns: new[] { "key", "value" });

            migrationBuilder.CreateIndex(
                name: "ix_batch_snapshots_batch",
                table: "batch_snapshots",
                columns: new[] { "batch_key", "observed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_batches_active",
                table: "batches",
                columns: new[] { "connection_id", "created_at" },
                filter: "is_terminal = FALSE");

            migrationBuilder.CreateIndex(
                name: "ix_batches_created",
                table: "batches",
                columns: new[] { "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_batches_endpoint_status",
                table: "batches",
                columns: new[] { "endpoint", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_batches_model_status",
                table: "batches",
                columns: new[] { "model", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_batches_status_created",
                table: "batches",
                columns: new[] { "status", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ux_batches_connection_id",
                table: "batches",
                columns: new[] { "connection_id", "id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_result_files_batch_kind",
                table: "result_files",
                columns: new[] { "batch_key", "kind" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_result_problems_batch",
                table: "result_problems",
                columns: new[] { "batch_key", "kind", "line" });

            migrationBuilder.CreateIndex(
                name: "ix_result_requests_error_code",
                table: "result_requests",
                columns: new[] { "batch_key", "error_code", "position" });

            migrationBuilder.CreateIndex(
                name: "ix_result_requests_outcome",
                table: "result_requests",
                columns: new[] { "batch_key", "outcome", "position" });

            migrationBuilder.CreateIndex(
                name: "ix_result_requests_position",
                table: "result_requests",
                columns: new[] { "batch_key", "position" });

            migrationBuilder.CreateIndex(
                name: "ux_result_requests_batch_custom_id",
                table: "result_requests",
                columns: new[] { "batch_key", "custom_id" },
                unique: true);

            // The failures sort: its expression, as SQLite's index has it.
            migrationBuilder.Sql("CREATE INDEX ix_batches_failures ON batches ((COALESCE(request_failed, 0)), id);");

            // What instances that do not sync read each second: the batches written since their last look.
            migrationBuilder.Sql("CREATE INDEX ix_batches_updated ON batches (updated_at);");

            // Free text: pg_trgm (a trusted extension since PostgreSQL 13: the database's owner may create it) lets
            // the LIKE on search_text use an index.
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
            migrationBuilder.Sql("CREATE INDEX ix_batches_search ON batches USING gin (search_text gin_trgm_ops);");

            // Batches per connection and status, exact in the same transaction as every write (as on SQLite).
            migrationBuilder.Sql("""
                CREATE TABLE batch_status_counts (
                    connection_id text COLLATE "C" NOT NULL,
                    name text COLLATE "C" NOT NULL,
                    count integer NOT NULL,
                    PRIMARY KEY (connection_id, name));
                """);
            migrationBuilder.Sql("""
                CREATE FUNCTION batch_status_name(status text, status_raw text) RETURNS text
                LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN status = 'unknown' THEN status_raw ELSE status END $$;
                """);
            migrationBuilder.Sql("""
                CREATE FUNCTION batches_count_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        UPDATE batch_status_counts SET count = count - 1
                        WHERE connection_id = OLD.connection_id AND name = batch_status_name(OLD.status, OLD.status_raw);
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        INSERT INTO batch_status_counts (connection_id, name, count)
                        VALUES (NEW.connection_id, batch_status_name(NEW.status, NEW.status_raw), 1)
                        ON CONFLICT (connection_id, name) DO UPDATE SET count = batch_status_counts.count + 1;
                    END IF;
                    RETURN NULL;
                END $$;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER tr_batches_count_insert_delete AFTER INSERT OR DELETE ON batches
                FOR EACH ROW EXECUTE FUNCTION batches_count_trigger();
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER tr_batches_count_update AFTER UPDATE OF status, status_raw, connection_id ON batches
                FOR EACH ROW WHEN (OLD.connection_id IS DISTINCT FROM NEW.connection_id
                    OR batch_status_name(OLD.status, OLD.status_raw) IS DISTINCT FROM batch_status_name(NEW.status, NEW.status_raw))
                EXECUTE FUNCTION batches_count_trigger();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER tr_batches_count_update ON batches;");
            migrationBuilder.Sql("DROP TRIGGER tr_batches_count_insert_delete ON batches;");
            migrationBuilder.Sql("DROP FUNCTION batches_count_trigger();");
            migrationBuilder.Sql("DROP FUNCTION batch_status_name(text, text);");
            migrationBuilder.Sql("DROP TABLE batch_status_counts;");
            migrationBuilder.Sql("DROP INDEX ix_batches_search;");
            migrationBuilder.Sql("DROP INDEX ix_batches_failures;");
            migrationBuilder.Sql("DROP INDEX ix_batches_updated;");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "batch_documents");

            migrationBuilder.DropTable(
                name: "batch_metadata");

            migrationBuilder.DropTable(
                name: "batch_snapshots");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "result_files");

            migrationBuilder.DropTable(
                name: "result_problems");

            migrationBuilder.DropTable(
                name: "result_requests");

            migrationBuilder.DropTable(
                name: "sync_leases");

            migrationBuilder.DropTable(
                name: "sync_states");

            migrationBuilder.DropTable(
                name: "batches");
        }
    }
}
