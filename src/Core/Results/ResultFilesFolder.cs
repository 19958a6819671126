using System.Text;

namespace BatchDashboard.Core.Results;

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
