using System.Runtime.InteropServices;

namespace BatchDashboard.Benchmarks;

/// <summary>
/// Drops a file's pages from the operating system's page cache (Linux: fsync, then posix_fadvise DONTNEED), so the
/// next read of it comes from the disk, as "reading the file from disk" means, not from memory.
/// </summary>
internal static partial class PageCache
{
    private const int DontNeed = 4; // POSIX_FADV_DONTNEED

    /// <summary>True when the file's cached pages were dropped; false where the system cannot be told.</summary>
    public static bool Evict(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        stream.Flush(flushToDisk: true);
        return Fadvise((int)stream.SafeFileHandle.DangerousGetHandle(), 0, 0, DontNeed) == 0;
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int Fadvise(int fd, long offset, long length, int advice);
}
