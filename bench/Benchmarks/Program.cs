using System.Globalization;
using BatchDashboard.Benchmarks;

// dotnet run -c Release --project bench/Benchmarks -- [--suite core|scale|pages|results|startup|capacity|insights|all] [--insight-batches N] [--insight-on sqlite,postgres] [--starts N] [--batches N] [--scale N,N,N] [--poll SECONDS] [--runs N] [--file-mb N] [--out FILE]
var suite = "all";
var batches = 100_000;
var poll = TimeSpan.FromSeconds(3);
var runs = 300;
var fileMegabytes = 1024L;
var starts = 10;
int[] scale = [10_000, 100_000, 1_000_000];
var insightBatches = 1_000_000;
string[] insightOn = ["sqlite", "postgres"];
string? output = null;
for (var i = 0; i < args.Length - 1; i++)
{
    switch (args[i])
    {
        case "--suite": suite = args[i + 1]; break;
        case "--batches": batches = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--poll": poll = TimeSpan.FromSeconds(double.Parse(args[i + 1], CultureInfo.InvariantCulture)); break;
        case "--runs": runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--file-mb": fileMegabytes = long.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--scale": scale = [.. args[i + 1].Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture))]; break;
        case "--out": output = args[i + 1]; break;
        case "--insight-batches": insightBatches = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--insight-on": insightOn = args[i + 1].Split(','); break;
        case "--starts": starts = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
    }
}

if (suite is not ("core" or "scale" or "pages" or "results" or "startup" or "capacity" or "insights" or "all"))
{
    Console.Error.WriteLine($"--suite '{suite}' is not core, scale, pages, results, startup, capacity, insights or all.");
    return 2;
}

var report = new System.Text.StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd}");
report.AppendLine();
if (suite is "core" or "all")
{
    report.AppendLine("## Core: parsing, import and list queries").AppendLine().AppendLine(await CoreBenchmarks.RunAsync(batches));
}

if (suite is "scale" or "all")
{
    report.AppendLine("## List queries as the cache grows").AppendLine().AppendLine(await CoreBenchmarks.ScaleAsync(scale));
}

if (suite is "pages" or "all")
{
    report.AppendLine("## Pages over HTTP, and live updates").AppendLine().AppendLine(await PageBenchmarks.RunAsync(batches, poll, runs));
}

if (suite is "results" or "all")
{
    report.AppendLine("## Results files: indexing, memory, lookups").AppendLine().AppendLine(await ResultBenchmarks.RunAsync(fileMegabytes * 1024 * 1024));
}

if (suite is "startup" or "all")
{
    report.AppendLine("## The published app's start-up").AppendLine().AppendLine(await StartupBenchmarks.RunAsync(batches, starts));
}

if (suite is "capacity" or "all")
{
    report.AppendLine("## Capacity: counting prompt tokens, and the queues' view").AppendLine().AppendLine(await CapacityBenchmarks.RunAsync(200L * 1024 * 1024, batches, runs));
}

if (suite is "insights" or "all")
{
    report.AppendLine("## Insights: the page's reads at a million batches").AppendLine().AppendLine(await InsightBenchmarks.RunAsync(insightBatches, runs, insightOn));
}

Console.WriteLine(report);
if (output is not null)
{
    await File.WriteAllTextAsync(output, report.ToString());
    Console.WriteLine($"Written to {output}");
}

return 0;
