using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BatchDashboard.Core.Cache.PostgresMigrations
{
    /// <summary>
    /// The counts the triggers keep are grouped by endpoint and model as well as connection and status
    /// (<c>batch_counts</c>, replacing <c>batch_status_counts</c>), as on SQLite: the header counts under an endpoint
    /// or model filter and the filter choices are read from a few rows, and the two indexes that served them go.
    /// A batch without an endpoint or model is counted under the empty text.
    /// </summary>
    public partial class FacetCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_batches_endpoint_status",
                table: "batches");

            migrationBuilder.DropIndex(
                name: "ix_batches_model_status",
                table: "batches");

            migrationBuilder.Sql("""
                CREATE TABLE batch_counts (
                    connection_id text COLLATE "C" NOT NULL,
                    endpoint text COLLATE "C" NOT NULL,
                    model text COLLATE "C" NOT NULL,
                    name text COLLATE "C" NOT NULL,
                    count integer NOT NULL,
                    PRIMARY KEY (connection_id, endpoint, model, name));
                """);
            migrationBuilder.Sql("""
                INSERT INTO batch_counts (connection_id, endpoint, model, name, count)
                SELECT connection_id, COALESCE(endpoint, ''), COALESCE(model, ''), batch_status_name(status, status_raw), COUNT(*)
                FROM batches GROUP BY 1, 2, 3, 4;
                """);
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION batches_count_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        UPDATE batch_counts SET count = count - 1
                        WHERE connection_id = OLD.connection_id AND endpoint = COALESCE(OLD.endpoint, '') AND model = COALESCE(OLD.model, '')
                          AND name = batch_status_name(OLD.status, OLD.status_raw);
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        INSERT INTO batch_counts (connection_id, endpoint, model, name, count)
                        VALUES (NEW.connection_id, COALESCE(NEW.endpoint, ''), COALESCE(NEW.model, ''), batch_status_name(NEW.status, NEW.status_raw), 1)
                        ON CONFLICT (connection_id, endpoint, model, name) DO UPDATE SET count = batch_counts.count + 1;
                    END IF;
                    RETURN NULL;
                END $$;
                """);
            migrationBuilder.Sql("DROP TRIGGER tr_batches_count_update ON batches;");
            migrationBuilder.Sql("""
                CREATE TRIGGER tr_batches_count_update AFTER UPDATE OF status, status_raw, connection_id, endpoint, model ON batches
                FOR EACH ROW WHEN (OLD.connection_id IS DISTINCT FROM NEW.connection_id
                    OR OLD.endpoint IS DISTINCT FROM NEW.endpoint OR OLD.model IS DISTINCT FROM NEW.model
                    OR batch_status_name(OLD.status, OLD.status_raw) IS DISTINCT FROM batch_status_name(NEW.status, NEW.status_raw))
                EXECUTE FUNCTION batches_count_trigger();
                """);
            migrationBuilder.Sql("DROP TABLE batch_status_counts;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE batch_status_counts (
                    connection_id text COLLATE "C" NOT NULL,
                    name text COLLATE "C" NOT NULL,
                    count integer NOT NULL,
                    PRIMARY KEY (connection_id, name));
                """);
            migrationBuilder.Sql("""
                INSERT INTO batch_status_counts (connection_id, name, count)
                SELECT connection_id, batch_status_name(status, status_raw), COUNT(*) FROM batches GROUP BY 1, 2;
                """);
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION batches_count_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
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
            migrationBuilder.Sql("DROP TRIGGER tr_batches_count_update ON batches;");
            migrationBuilder.Sql("""
                CREATE TRIGGER tr_batches_count_update AFTER UPDATE OF status, status_raw, connection_id ON batches
                FOR EACH ROW WHEN (OLD.connection_id IS DISTINCT FROM NEW.connection_id
                    OR batch_status_name(OLD.status, OLD.status_raw) IS DISTINCT FROM batch_status_name(NEW.status, NEW.status_raw))
                EXECUTE FUNCTION batches_count_trigger();
                """);
            migrationBuilder.Sql("DROP TABLE batch_counts;");

            migrationBuilder.CreateIndex(
                name: "ix_batches_endpoint_status",
                table: "batches",
                columns: new[] { "endpoint", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_batches_model_status",
                table: "batches",
                columns: new[] { "model", "status" });
        }
    }
}
