using BatchDashboard.Dashboard.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.UseBatchDashboardStandaloneDefaults();
builder.Services.AddBatchDashboard(builder.Configuration);

var app = builder.Build();
app.UseBatchDashboardStandalonePipeline();
app.MapBatchDashboard();
app.Run();

/// <summary>The entry point, visible to <c>WebApplicationFactory</c> in the tests.</summary>
public partial class Program;
