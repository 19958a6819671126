using Microsoft.Data.Sqlite;

namespace BatchDashboard.Tests.Shared;

/// <summary>A SQLite file in a fresh temporary folder, deleted with the folder on dispose.</summary>
public sealed class TemporaryDatabase : IDisposable
{
    public TemporaryDatabase()
    {
        Folder = Directory.CreateTempSubdirectory("batch-dashboard-tests-").FullName;
        FilePath = Path.Combine(Folder, "cache.db");
    }

    public string Folder { get; }

    public string FilePath { get; }

    public string ConnectionString => $"Data Source={FilePath}";

    public void Dispose()
    {
        // Pooled connections keep the file open; release them before deleting.
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
