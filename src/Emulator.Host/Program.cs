using BatchDashboard.Emulator;
using BatchDashboard.Emulator.Host;

// The standalone emulator: `dotnet run --project src/Emulator.Host -- --speed 10 --seed-batches 200`.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Configuration.AddEnvironmentVariables("BATCH_EMULATOR_");
builder.Configuration.AddCommandLine(args, EmulatorCommandLine.Switches);
if (builder.Configuration["config"] is { Length: > 0 } configFile)
{
    builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
    builder.Configuration.AddCommandLine(args, EmulatorCommandLine.Switches);
}

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(EmulatorCommandLine.Help);
    return 0;
}

EmulatorOptions options;
IReadOnlyList<string> problems;
try
{
    options = builder.Configuration.GetSection(EmulatorOptions.SectionName).Get<EmulatorOptions>() ?? new EmulatorOptions();
    problems = options.Validate();
}
catch (InvalidOperationException ex)
{
    // A value that is not of its setting's type, e.g. --speed fast.
    options = new EmulatorOptions();
    problems = [ex.Message];
}

if (problems.Count > 0)
{
    Console.Error.WriteLine("The emulator cannot start:");
    foreach (var problem in problems)
    {
        Console.Error.WriteLine("  " + problem);
    }

    return 2;
}

var app = EmulatorApp.Build(builder, options, TimeProvider.System);
app.Lifetime.ApplicationStarted.Register(() =>
{
    var address = app.Urls.FirstOrDefault() ?? $"http://127.0.0.1:{options.Port}";
    Console.WriteLine($"OpenAI Batch API emulator listening on {address.TrimEnd('/')}/v1 (speed x{options.Speed}, {options.SeedBatches} seeded batches).");
    Console.WriteLine($"Point a client at it:  OPENAI_BASE_URL={address.TrimEnd('/')}/v1  OPENAI_API_KEY={options.ApiKey}");
});
await app.RunAsync();
return 0;

/// <summary>Visible to the tests that run the emulator as a user does.</summary>
internal sealed partial class Program;
