using BatchDashboard.Dashboard.Hosting;
using BatchDashboard.Server;

if (args is ["hash-password", ..])
{
    return PasswordCommand.Run(args[1..]);
}

var builder = WebApplication.CreateBuilder(args);
builder.UseBatchDashboardStandaloneDefaults();
builder.AddBatchDashboardTelemetry();
builder.Services.AddBatchDashboard(builder.Configuration);

var app = builder.Build();
app.UseBatchDashboardStandalonePipeline();
app.MapBatchDashboardTelemetry();
// BatchDashboard:PathBase serves it under a path, for a proxy that passes the whole path on (one that strips it
// sends X-Forwarded-Prefix instead).
app.MapBatchDashboard(app.Configuration["BatchDashboard:PathBase"] ?? "");
app.Run();
return 0;

/// <summary>The entry point, visible to <c>WebApplicationFactory</c> in the tests.</summary>
public partial class Program;
