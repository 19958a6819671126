using BatchDashboard.Benchmarks;

// dotnet run -c Release --project bench/Benchmarks -- [--batches N] [--out FILE]
var batches = 100_000;
string? output = null;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--batches") { batches = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); }
    if (args[i] == "--out") { output = args[i + 1]; }
}

var report = await CoreBenchmarks.RunAsync(batches);
Console.WriteLine(report);
if (output is not null)
{
    await File.WriteAllTextAsync(output, report);
    Console.WriteLine($"Written to {output}");
}
