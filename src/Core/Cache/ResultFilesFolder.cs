using System.Text;
using Microsoft.Data.Sqlite;

namespace BatchDashboard.Core.Cache;

/// <summary>
/// Where the local copies of batches' files live: a folder beside the SQLite cache, named after it
/// (<c>data/batch-cache.db</c> keeps its files in <c>data/batch-cache-files/</c>), so a cache and its files go
/// together, and the demo's start afresh with its cache.
/// </summary>
public static class ResultFilesFolder
{
    public static string For(string databasePath) =>
        Path.Combine(Path.GetDirectoryName(databasePath) ?? "", Path.GetFileNameWithoutExtension(databasePath) + "-files");

    /// <summary>A file's copy, relative to the folder: <c>connection/file-id.jsonl</c>, each part made safe for any file system.</summary>
    public static string RelativePath(string connectionId, string fileId) =>
        Path.Combine(SafeName(connectionId), SafeName(fileId) + ".jsonl");

    private static string SafeName(string name)
    {
        var safe = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        // Names that differ only in unsafe characters must not share a file.
        if (safe.ToString() != name || safe.Length == 0)
        {
            safe.Append('-').Append(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..12]);
        }

        return safe.ToString();
    }
}

/// <summary>
/// Where this cache keeps the local copies of batches' files, decided once from the cache's options: the configured
/// <see cref="BatchCacheOptions.FilesFolder"/>, or beside the SQLite file, or <c>data/batch-cache-files</c> under the
/// content root with PostgreSQL (and a temporary folder for an in-memory cache).
/// </summary>
internal sealed record ResultFilesLocation(string Folder)
{
    public static ResultFilesLocation For(BatchCacheOptions options, string contentRoot)
    {
        if (options.FilesFolder is { Length: > 0 } configured)
        {
            return new(Path.GetFullPath(configured, contentRoot));
        }

        if (options.Provider == CacheProvider.Postgres)
        {
            return new(Path.Combine(contentRoot, "data", "batch-cache-files"));
        }

        var source = new SqliteConnectionStringBuilder(SqliteConnectionStrings.Resolve(options.ConnectionString, contentRoot)).DataSource;
        return new(source.Length == 0 || source == ":memory:"
            ? Path.Combine(Path.GetTempPath(), "batch-dashboard-files")
            : ResultFilesFolder.For(source));
    }
}
