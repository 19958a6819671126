using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("BatchDashboard.Emulator.Tests")]
