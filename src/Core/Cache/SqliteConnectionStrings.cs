using Microsoft.Data.Sqlite;

namespace BatchDashboard.Core.Cache;

internal static class SqliteConnectionStrings
{
    /// <summary>
    /// Makes a relative <c>Data Source</c> relative to <paramref name="baseDirectory"/> (SQLite alone would use the
    /// process's working directory) and creates the folder that will hold the file.
    /// </summary>
    public static string Resolve(string connectionString, string baseDirectory)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var source = builder.DataSource;
        var inMemory = source.Length == 0 || source == ":memory:" || builder.Mode == SqliteOpenMode.Memory;
        if (!inMemory)
        {
            var path = Path.GetFullPath(source, baseDirectory);
            var folder = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            builder.DataSource = path;
        }

        return builder.ToString();
    }
}
