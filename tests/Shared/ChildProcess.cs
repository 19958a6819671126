using System.Diagnostics;

namespace BatchDashboard.Tests.Shared;

/// <summary>
/// How a test starts another program (a publish, the built app): in a session and process group of its own
/// (<c>setsid</c>, where the system has it), so no signal meant for that program's group reaches the test process.
/// xUnit v3 runs the tests in a child process of <c>dotnet test</c>, and a signal that lands there ends the whole
/// run as if it had finished (the .NET SDK isolates its test children the same way).
/// </summary>
public static class ChildProcess
{
    private const string Setsid = "/usr/bin/setsid";

    /// <summary>Start information for <paramref name="file"/>; <c>setsid</c> execs it, so the process's id is the program's.</summary>
    public static ProcessStartInfo StartInfo(string file, params IEnumerable<string> arguments)
    {
        var start = File.Exists(Setsid) ? new ProcessStartInfo(Setsid, [file, .. arguments]) : new ProcessStartInfo(file, arguments);
        start.UseShellExecute = false;
        return start;
    }
}
