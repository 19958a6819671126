using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using BatchDashboard.Core.Sync;
using BatchDashboard.Tests.Shared;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BatchDashboard.EndToEnd.Tests;

/// <summary>
/// The standalone dashboard behind a real nginx (Debian's package, installed by the test script) that serves it at
/// /tools/batches/, strips the prefix and says so in X-Forwarded-Prefix: the pages, links, assets, the circuit's
/// WebSocket and the JSON API all work at the proxy's address.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReverseProxyTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string Nginx = "/usr/sbin/nginx";
    private const string Prefix = "/tools/batches";
    private readonly DashboardAppFactory _app = new();
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("bd-nginx-");
    private Process? _nginx;
    private Uri _proxy = default!;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Nginx))
        {
            throw new InvalidOperationException($"nginx is missing at {Nginx}. Run ./scripts/test.sh, which installs it (apt-get install nginx-light).");
        }

        var api = _app.WithFakeUpstream();
        api.Add(TestBatches.Json("batch_behind_the_proxy", "in_progress"));
        var app = _app.StartOnLoopback();
        await _app.WaitForSyncAsync(s => s.Phase == SyncPhase.Polling);

        var port = Loopback.FreePort();
        var config = Path.Combine(_folder.FullName, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            {{(Environment.UserName == "root" ? "user root;" : "")}}
            worker_processes 1;
            pid {{_folder.FullName}}/nginx.pid;
            error_log {{_folder.FullName}}/error.log warn;
            events { worker_connections 64; }
            http {
                access_log {{_folder.FullName}}/access.log;
                client_body_temp_path {{_folder.FullName}}/body;
                proxy_temp_path {{_folder.FullName}}/proxy;
                fastcgi_temp_path {{_folder.FullName}}/fastcgi;
                uwsgi_temp_path {{_folder.FullName}}/uwsgi;
                scgi_temp_path {{_folder.FullName}}/scgi;
                map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                server {
                    listen 127.0.0.1:{{port}};
                    location {{Prefix}}/ {
                        proxy_pass http://127.0.0.1:{{app.Port}}/;
                        proxy_http_version 1.1;
                        proxy_set_header Host $host:$server_port;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_set_header X-Forwarded-Prefix {{Prefix}};
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        proxy_buffering off;
                    }
                }
            }
            """, TestContext.Current.CancellationToken);
        _nginx = Process.Start(new ProcessStartInfo(Nginx, ["-p", _folder.FullName, "-c", config, "-g", "daemon off;"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        _proxy = new Uri($"http://127.0.0.1:{port}{Prefix}/");
        await WaitUntilListeningAsync(port);
    }

    [Fact]
    public async Task AtTheProxysPath_ThePagesAssetsCircuitAndApi_AllWork()
    {
        using var client = new HttpClient { BaseAddress = _proxy };
        var html = await client.GetStringAsync("batches", TestContext.Current.CancellationToken);
        Assert.Contains($"<base href=\"{Prefix}/\" />", html, StringComparison.Ordinal);
        Assert.Contains("batch_behind_the_proxy", await client.GetStringAsync("api/batches", TestContext.Current.CancellationToken), StringComparison.Ordinal);

        await using var session = await PageSession.OpenAsync(browser.Browser, _proxy);
        var page = session.Page;
        await page.GotoAsync("batches");
        await session.WaitForInteractiveAsync(); // the circuit's WebSocket went through nginx
        await page.Locator("tr:has(td[data-batch-id=\"batch_behind_the_proxy\"])").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"^{Regex.Escape(_proxy.ToString())}batches/batch_behind_the_proxy\\?connection=openai$"));
        await page.GetByTestId("refresh").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Refreshed from the API" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("behind-nginx-detail");
        Assert.Empty(session.Errors);
    }


    /// <summary>Connects until nginx accepts (it starts in a few milliseconds), or reports why it did not.</summary>
    private async Task WaitUntilListeningAsync(int port)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(10) && !_nginx!.HasExited)
            {
                await Task.Yield();
            }
            catch (SocketException)
            {
                throw new InvalidOperationException($"nginx did not start: {await _nginx!.StandardError.ReadToEndAsync()}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_nginx is { HasExited: false })
        {
            _nginx.Kill(entireProcessTree: true);
            await _nginx.WaitForExitAsync();
        }

        _nginx?.Dispose();
        await _app.DisposeAsync();
        _folder.Delete(recursive: true);
    }
}
