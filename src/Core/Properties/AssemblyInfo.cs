using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("BatchDashboard.Core.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("BatchDashboard.Benchmarks")]
