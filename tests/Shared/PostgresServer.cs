using System.Diagnostics;
using Npgsql;

namespace BatchDashboard.Tests.Shared;

/// <summary>
/// A private PostgreSQL for a test run: a fresh cluster in a temporary folder, listening on a free loopback port,
/// fsync off, stopped and deleted on dispose. Each test takes a database of its own from it. The server's binaries
/// come from Debian's <c>postgresql</c> package, which <c>scripts/test.sh</c> installs when missing.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("bd-postgres-");
    private string _bin = "";
    private int _databases;

    public int Port { get; private set; }

    private string DataFolder => Path.Combine(_folder.FullName, "data");

    public async ValueTask InitializeAsync()
    {
        _bin = FindBinaries();
        Port = Loopback.FreePort();
        // initdb refuses to run as root: the cluster belongs to the postgres user then.
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", "-R", "postgres", _folder.FullName);
        }

        await RunPostgresAsync(asRoot, Path.Combine(_bin, "initdb"), "-D", DataFolder, "-U", "postgres", "--auth=trust", "--locale=C", "-E", "UTF8", "--no-sync");
        await RunPostgresAsync(asRoot, Path.Combine(_bin, "pg_ctl"), "-D", DataFolder, "-l", Path.Combine(_folder.FullName, "server.log"), "-w", "-o",
            $"-p {Port} -k {_folder.FullName} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            "start");
    }

    /// <summary>A new, empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"cache_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..30];
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Timeout=10";

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (Port != 0 && Directory.Exists(DataFolder))
        {
            await RunPostgresAsync(Environment.UserName == "root", Path.Combine(_bin, "pg_ctl"), "-D", DataFolder, "-m", "immediate", "-w", "stop");
        }

        _folder.Delete(recursive: true);
    }

    private static string FindBinaries()
    {
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Where(d => File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).ToList()
            : [];
        return versions.Count > 0
            ? Path.Combine(versions[0], "bin")
            : throw new InvalidOperationException("PostgreSQL's server is missing (no /usr/lib/postgresql/*/bin/initdb). Run ./scripts/test.sh, which installs it (apt-get install postgresql).");
    }

    private static Task RunPostgresAsync(bool asRoot, string program, params string[] arguments) =>
        asRoot ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]) : RunAsync(program, arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }
}

/// <summary>The tests that need PostgreSQL share one server (each with its own database), and run one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
