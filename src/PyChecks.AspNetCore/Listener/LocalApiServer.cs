using System.Net;
using System.Net.Sockets;
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
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly ILoggerFactory _loggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
    private WebApplication? _app;
    private string? _socketPath;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var logger = _loggerFactory.CreateLogger("PyChecks.ControlApi");
        var api = services.GetRequiredService<ControlApi>();
        info.TokenFilePath = api.Token.FilePath;

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
        else
        {
            _socketPath = Path.GetFullPath(o.UnixSocketPath ?? RuntimeDirectory.DefaultFile(services.GetService<IHostEnvironment>()?.ApplicationName, ".sock"));
            RuntimeDirectory.EnsureParent(_socketPath);
            await RemoveStaleSocketAsync(_socketPath, logger, cancellationToken).ConfigureAwait(false);
        }

        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // The API refuses bodies over its own limit with a JSON 413; the server's higher limit lets it drain what the
            // client is still sending, so that the client reads the 413 instead of a reset connection.
            k.Limits.MaxRequestBodySize = Math.Max(DrainLimit, o.MaxRequestBodyBytes);
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.Limits.MaxRequestLineSize = 8 * 1024;
            k.Limits.MaxRequestHeaderCount = 50;
            if (tcp is not null)
            {
                k.Listen(tcp);
            }
            else
            {
                k.ListenUnixSocket(_socketPath!);
            }
        });

        var app = builder.Build();
        app.Use(LastResort(logger));
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
            // The folder is 0700 by default, which covers the moment between bind and this chmod.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(_socketPath!, OwnerReadWrite);
            }

            info.UnixSocketPath = _socketPath;
            Log.ListeningOnSocket(logger, _socketPath!);
        }

        info.IsListening = true;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            info.IsListening = false;
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
            DeleteSocket();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _app, null) is { } app)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            DeleteSocket();
        }
    }

    /// <summary>The listener's outermost handler: whatever fails outside the API's own guard still ends as a generic JSON 500.</summary>
    private static Func<HttpContext, RequestDelegate, Task> LastResort(ILogger logger) => async (context, next) =>
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            Log.RequestFailed(logger, context.Request.Method, context.Request.Path, e);
            await ControlApi.InternalErrorAsync(context).ConfigureAwait(false);
        }
    };

    /// <summary>
    /// A socket file nobody listens on is left by a process that ended: remove it. One that answers belongs to a live
    /// process: refuse to start. Anything else at that path (a regular file) is not ours to delete.
    /// </summary>
    private static async Task RemoveStaleSocketAsync(string path, ILogger logger, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return;
        }

        if (IsRegularFile(path))
        {
            throw new InvalidOperationException($"The control API's socket path {path} is taken by a file that is not a socket; remove it or choose another UnixSocketPath.");
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                await probe.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                throw new InvalidOperationException($"Another process is listening on the control API's socket {path}: is the host running twice? Stop it or choose another UnixSocketPath.");
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // Nobody listens: stale.
            }
        }

        File.Delete(path);
        Log.StaleSocketRemoved(logger, path);
    }

    /// <summary>Opening a socket file fails (ENXIO); opening a regular file works.</summary>
    private static bool IsRegularFile(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private void DeleteSocket()
    {
        if (_socketPath is not null && File.Exists(_socketPath))
        {
            try
            {
                File.Delete(_socketPath);
            }
            catch (IOException)
            {
                // Best effort: the next start removes a stale socket.
            }
        }
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
