using System.Text.Json;
using BatchDashboard.Emulator.Simulation;
using Microsoft.AspNetCore.Http;

namespace BatchDashboard.Emulator.Api;

/// <summary>Writes the API's objects with the real service's field order, nulls and envelopes.</summary>
internal static class EmulatorJson
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, Options))
        {
            write(writer);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    public static Task WriteErrorAsync(HttpContext context, EmulatorError error) =>
        WriteAsync(context, error.Status, writer => WriteError(writer, error));

    public static void WriteError(Utf8JsonWriter writer, EmulatorError error)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteString("message", error.Message);
        writer.WriteString("type", error.Type);
        WriteNullable(writer, "param", error.Param);
        WriteNullable(writer, "code", error.Code);
        writer.WriteEndObject();
        if (error.Status == 404 || error.Param == "purpose")
        {
            // The real service adds this second copy to file errors (recorded 404s and 400s).
            writer.WriteStartObject("detail");
            writer.WriteString("message", error.Message);
            WriteNullable(writer, "code", error.Code);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    public static void WriteBatch(Utf8JsonWriter writer, EmulatedBatch batch, BatchSnapshot snapshot)
    {
        writer.WriteStartObject();
        writer.WriteString("id", batch.Id);
        writer.WriteString("object", "batch");
        writer.WriteString("endpoint", batch.Endpoint);
        WriteNullable(writer, "model", snapshot.InProgressAt is null ? null : batch.Model);
        if (batch.Errors.Count > 0 && snapshot.Status == "failed")
        {
            writer.WriteStartObject("errors");
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            foreach (var error in batch.Errors)
            {
                writer.WriteStartObject();
                writer.WriteString("code", error.Code);
                writer.WriteString("message", error.Message);
                WriteNullable(writer, "param", error.Param);
                if (error.Line is { } line)
                {
                    writer.WriteNumber("line", line);
                }
                else
                {
                    writer.WriteNull("line");
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("errors");
        }

        writer.WriteString("input_file_id", batch.InputFileId);
        writer.WriteString("completion_window", batch.CompletionWindow);
        writer.WriteString("status", snapshot.Status);
        WriteNullable(writer, "output_file_id", snapshot.IsTerminal ? batch.OutputFileId : null);
        WriteNullable(writer, "error_file_id", snapshot.IsTerminal ? batch.ErrorFileId : null);
        writer.WriteNumber("created_at", batch.CreatedAt.ToUnixTimeSeconds());
        WriteTime(writer, "in_progress_at", snapshot.InProgressAt);
        WriteTime(writer, "expires_at", batch.ExpiresAt);
        WriteTime(writer, "finalizing_at", snapshot.FinalizingAt);
        WriteTime(writer, "completed_at", snapshot.CompletedAt);
        WriteTime(writer, "failed_at", snapshot.FailedAt);
        WriteTime(writer, "expired_at", snapshot.ExpiredAt);
        WriteTime(writer, "cancelling_at", snapshot.CancellingAt);
        WriteTime(writer, "cancelled_at", snapshot.CancelledAt);
        writer.WriteStartObject("request_counts");
        writer.WriteNumber("total", snapshot.Total);
        writer.WriteNumber("completed", snapshot.Completed);
        writer.WriteNumber("failed", snapshot.Failed);
        writer.WriteEndObject();
        writer.WriteStartObject("usage");
        writer.WriteNumber("input_tokens", snapshot.Usage.Input);
        writer.WriteNumber("output_tokens", snapshot.Usage.Output);
        writer.WriteNumber("total_tokens", snapshot.Usage.Total);
        writer.WriteStartObject("input_tokens_details");
        writer.WriteNumber("cached_tokens", snapshot.Usage.Cached);
        writer.WriteEndObject();
        writer.WriteStartObject("output_tokens_details");
        writer.WriteNumber("reasoning_tokens", snapshot.Usage.Reasoning);
        writer.WriteEndObject();
        writer.WriteEndObject();
        if (batch.Metadata is null)
        {
            writer.WriteNull("metadata");
        }
        else
        {
            writer.WriteStartObject("metadata");
            foreach (var (key, value) in batch.Metadata)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    public static void WriteFile(Utf8JsonWriter writer, EmulatedFile file)
    {
        writer.WriteStartObject();
        writer.WriteString("object", "file");
        writer.WriteString("id", file.Id);
        writer.WriteString("purpose", file.Purpose);
        writer.WriteString("filename", file.Filename);
        writer.WriteNumber("bytes", file.Content.Length);
        writer.WriteNumber("created_at", file.CreatedAt.ToUnixTimeSeconds());
        WriteTime(writer, "expires_at", file.ExpiresAt);
        writer.WriteString("status", "processed");
        writer.WriteNull("status_details");
        writer.WriteEndObject();
    }

    /// <summary>The list envelope: <c>{object, data, first_id, last_id, has_more}</c>.</summary>
    public static void WriteList<T>(Utf8JsonWriter writer, IReadOnlyList<T> items, bool hasMore, Func<T, string> idOf, Action<Utf8JsonWriter, T> writeItem)
    {
        writer.WriteStartObject();
        writer.WriteString("object", "list");
        writer.WriteStartArray("data");
        foreach (var item in items)
        {
            writeItem(writer, item);
        }

        writer.WriteEndArray();
        WriteNullable(writer, "first_id", items.Count > 0 ? idOf(items[0]) : null);
        WriteNullable(writer, "last_id", items.Count > 0 ? idOf(items[^1]) : null);
        writer.WriteBoolean("has_more", hasMore);
        writer.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            writer.WriteNumber(name, time.ToUnixTimeSeconds());
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
