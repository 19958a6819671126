using BatchDashboard.Dashboard.Security;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace BatchDashboard.Dashboard.Hosting;

/// <summary>What the standalone app adds around the dashboard; a host that embeds it brings its own.</summary>
public static class StandaloneHostExtensions
{
    public static WebApplicationBuilder UseBatchDashboardStandaloneDefaults(this WebApplicationBuilder builder)
    {
        // The design system and Blazor's script live outside wwwroot; the build's manifest maps them under
        // `dotnet run` in every environment (published output has them in wwwroot and no manifest).
        builder.WebHost.UseStaticWebAssets();
        builder.AddStandaloneAccess();
        // A host that embeds the dashboard keeps its own key ring; the standalone app shares one when scaled out.
        builder.Services.AddSharedDataProtection(builder.Configuration);
        return builder;
    }

    public static WebApplication UseBatchDashboardStandalonePipeline(this WebApplication app)
    {
        // The socket's peer first: forwarded headers from a trusted proxy then replace it with the client's.
        app.UsePeerAddress();
        app.UseForwardedHeaders();
        app.UseExceptionHandler("/error", createScopeForErrors: true);
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts(); // only ever sent on HTTPS responses
        }

        // Pages for bodiless answers to page loads; a form post or API call keeps its bare status (a re-executed POST
        // would be taken for a form post to the status page).
        app.UseStatusCodePagesWithReExecute("/status/{0}");
        app.Use((context, next) =>
        {
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)
                && context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
            {
                pages.Enabled = false;
            }

            return next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
            if (addresses is { Count: > 0 })
            {
                app.Logger.LogInformation("Batch Dashboard is running. Open {Url} in a browser.", addresses.First());
            }
        });
        return app;
    }
}
