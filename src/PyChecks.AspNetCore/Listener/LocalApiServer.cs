using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PyChecks.AspNetCore.Routing;

namespace PyChecks.AspNetCore.Listener;

/// <summary>
/// The local listener: a Kestrel server of its own, separate from any web app of the host, serving the control API at
/// its root. Starts once every hosted service has started (so Python and the scheduler are up before the first request)
/// and stops first, before the scheduler.
/// </summary>
internal sealed class LocalApiServer(IServiceProvider services, IOptions<PyChecksApiOptions> options, PyChecksLocalApi info) : IHostedLifecycleService, IAsyncDisposable
{
    private const int DrainLimit = 1024 * 1024;

    private readonly ILoggerFactory _loggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
    private WebApplication? _app;
    private ListenerSocket? _socket;

    /// <summary>
    /// Before any hosted service starts (so before Python runs a check): checks the runtime folder, takes the socket's
    /// lock, clears a stale socket and writes the token. A second host on the same socket fails here, naming the first.
    /// </summary>
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.TcpPort is null)
        {
            string path = Path.GetFullPath(o.UnixSocketPath ?? RuntimeDirectory.DefaultFile(services.GetService<IHostEnvironment>()?.ApplicationName, ".sock"));
            _socket = await ListenerSocket.PrepareAsync(path, _loggerFactory.CreateLogger("PyChecks.ControlApi"), cancellationToken).ConfigureAwait(false);
        }

        info.TokenFilePath = services.GetRequiredService<ControlApi>().Token.FilePath;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var logger = _loggerFactory.CreateLogger("PyChecks.ControlApi");
        var api = services.GetRequiredService<ControlApi>();

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "PyChecks.LocalApi" });
        builder.Services.AddSingleton(_loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddRoutingCore();
        IPEndPoint? tcp = null;
        if (o.TcpPort is int port)
        {
            tcp = new IPEndPoint(IPAddress.Parse(o.TcpAddress), port);
            if (!IPAddress.IsLoopback(tcp.Address))
            {
                Log.NonLoopback(logger, tcp.Address.ToString());
            }
        }

        int? socketHandle = _socket?.Bind();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // The API refuses bodies over its own limit with a JSON 413; the server's higher limit lets it drain what the
            // client is still sending, so that the client reads the 413 instead of a reset connection.
            k.Limits.MaxRequestBodySize = Math.Max(DrainLimit, o.MaxRequestBodyBytes);
            RequestLimits.ApplyTo(k.Limits);
            if (tcp is not null)
            {
                k.Listen(tcp);
            }
            else
            {
                // Bound by hand: a socket the server binds itself is deleted when it stops, whatever file is then at the path.
                k.ListenHandle((ulong)socketHandle!.Value);
            }
        });

        var app = builder.Build();
        app.Use(JsonErrors.Create(logger));
        app.Use(RequestLimits.Enforce);
        if (tcp is not null)
        {
            app.Use(HostFilter.Create(() => info.TcpEndPoint?.Port ?? tcp.Port));
        }

        app.UseRouting();
        api.Map(app, string.Empty);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            _socket?.Dispose();
            throw;
        }

        _app = app;

        if (tcp is not null)
        {
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            info.TcpEndPoint = new IPEndPoint(tcp.Address, new Uri(address).Port);
            Log.ListeningOnTcp(logger, info.TcpEndPoint);
        }
        else
        {
            info.UnixSocketPath = _socket!.Path;
            Log.ListeningOnSocket(logger, _socket.Path);
        }

        info.IsListening = true;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            info.IsListening = false;
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
            _socket?.Dispose();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _app, null) is { } app)
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }

        _socket?.Dispose();
    }

    /// <summary>
    /// On TCP, a request must name this machine's loopback in <c>Host</c> (<c>localhost</c>, <c>127.0.0.1</c>, <c>[::1]</c>,
    /// with the port): a web page whose name was rebound to 127.0.0.1 sends its own name and is refused.
    /// </summary>
    private static class HostFilter
    {
        public static Func<HttpContext, RequestDelegate, Task> Create(Func<int> port) => (context, next) =>
        {
            var host = context.Request.Host;
            bool loopbackName = host.Host is "127.0.0.1" or "[::1]" || string.Equals(host.Host, "localhost", StringComparison.OrdinalIgnoreCase);
            bool rightPort = host.Port == port() || (host.Port is null && port() == 80);
            return loopbackName && rightPort
                ? next(context)
                : ControlApi.ErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_host", "the Host header must be localhost, 127.0.0.1 or [::1] with the listener's port");
        };
    }
}
