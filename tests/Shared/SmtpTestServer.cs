using System.Diagnostics;
using System.Net.Sockets;
using MimeKit;

namespace BatchDashboard.Tests.Shared;

/// <summary>
/// A real SMTP server on a loopback port: Debian's aiosmtpd, keeping every message it accepts in a Maildir that the
/// test reads (made by aiosmtpd itself: Python's Maildir makes its folders only when the path is new). Started per
/// test, stopped with it.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private SmtpTestServer(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The messages accepted so far, oldest first.</summary>
    public IReadOnlyList<MimeMessage> Messages => new DirectoryInfo(Path.Combine(_folder, "maildir", "new")) is { Exists: true } folder
        ? [.. folder.EnumerateFiles().OrderBy(f => f.CreationTimeUtc).Select(f => MimeMessage.Load(f.FullName))]
        : [];

    public static async Task<SmtpTestServer> StartAsync()
    {
        var port = Loopback.FreePort();
        var folder = Directory.CreateTempSubdirectory("batch-dashboard-smtp-").FullName;
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", Path.Combine(folder, "maildir") })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("aiosmtpd did not start (apt-get install python3-aiosmtpd).");
        var server = new SmtpTestServer(process, folder, port);
        // Ready when it greets: an SMTP server speaks first.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                var greeting = new byte[3];
                if (await client.GetStream().ReadAsync(greeting) > 0)
                {
                    return server;
                }
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(15) && !process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"aiosmtpd did not listen on port {port}: {await process.StandardError.ReadToEndAsync()}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
