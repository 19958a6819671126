using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("BatchDashboard.Core.Tests")]
