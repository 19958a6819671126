using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BatchDashboard.Core.Cache;

/// <summary>
/// Sets per-connection pragmas on every open, measured by <c>bench/Benchmarks</c> (docs/PERFORMANCE.md):
/// <list type="bullet">
/// <item><c>synchronous=NORMAL</c>: under WAL it cannot corrupt the file; a power cut may lose the last commits,
/// which the next sync cycle fetches again. It saves an fsync per transaction.</item>
/// <item>an 8 MB page cache per connection: index inserts and scans stop paying a syscall per page. Each pooled
/// connection keeps its own, so it is small: 32 MB cost about 70 MB of resident memory under 50 open pages, and the
/// import ran at the same rate with 8.</item>
/// <item>checkpoints every 16,000 WAL pages (64 MB) instead of 1,000: imports went from 10.7k to 16.8k rows/s on
/// the 2-core VM, as the fsyncs of checkpoints dominate; <c>journal_size_limit</c> shrinks the WAL file back after each.</item>
/// </list>
/// </summary>
internal sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
{
    private const string Pragmas = """
        PRAGMA synchronous = NORMAL;
        PRAGMA cache_size = -8192;
        PRAGMA temp_store = MEMORY;
        PRAGMA wal_autocheckpoint = 16000;
        PRAGMA journal_size_limit = 67108864;
        """;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
