using BatchDashboard.Dashboard.Security;

namespace BatchDashboard.Server;

/// <summary>
/// <c>dotnet run --project src/Server -- hash-password</c>: reads a password (without echo on a terminal, or
/// one line from a pipe) and prints the hash to put in <c>BatchDashboard:Access:Users:N:PasswordHash</c>.
/// </summary>
internal static class PasswordCommand
{
    public static int Run(string[] args)
    {
        if (args.Length > 0)
        {
            Console.Error.WriteLine("Usage: hash-password   (the password is read from the terminal or standard input, never from the command line)");
            return 2;
        }

        string? password;
        if (Console.IsInputRedirected)
        {
            password = Console.ReadLine();
        }
        else
        {
            Console.Error.Write("Password: ");
            password = ReadHidden();
        }

        if (string.IsNullOrEmpty(password) || password.Length < 8)
        {
            Console.Error.WriteLine("A password of at least 8 characters, please.");
            return 1;
        }

        Console.WriteLine(DashboardSignIn.Hash(password));
        return 0;
    }

    private static string ReadHidden()
    {
        var text = new System.Text.StringBuilder();
        while (Console.ReadKey(intercept: true) is var key && key.Key != ConsoleKey.Enter)
        {
            if (key.Key == ConsoleKey.Backspace && text.Length > 0)
            {
                text.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return text.ToString();
    }
}
