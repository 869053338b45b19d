using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PyChecks.Tests.ControlApi;

/// <summary>
/// A started host with the local listener and none of PyChecks' core services: what happens before a request reaches
/// Python (start, refusals, files on disk, stop) without starting Python.
/// </summary>
internal sealed class ListenerOnlyHost : IDisposable
{
    private ListenerOnlyHost(IHost host)
    {
        Host = host;
        Info = host.Services.GetRequiredService<PyChecksLocalApi>();
    }

    public IHost Host { get; }

    public PyChecksLocalApi Info { get; }

    /// <summary>Builds and starts the host; a start that fails disposes it and throws.</summary>
    public static ListenerOnlyHost Start(Action<PyChecksApiOptions> configure)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddPyChecksLocalApi(configure);
        var host = builder.Build();
        try
        {
            host.StartAsync().GetAwaiter().GetResult();
            return new ListenerOnlyHost(host);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Starts a host on <c>api.sock</c> and <c>api.token</c> in <paramref name="folder"/>.</summary>
    public static ListenerOnlyHost StartIn(string folder, Action<PyChecksApiOptions>? configure = null) => Start(o =>
    {
        o.UnixSocketPath = Path.Combine(folder, "api.sock");
        o.TokenFilePath = Path.Combine(folder, "api.token");
        configure?.Invoke(o);
    });

    public ApiClient Client() => ApiClient.OverSocket(Info.UnixSocketPath!, File.ReadAllText(Info.TokenFilePath!));

    public void Dispose()
    {
        Host.StopAsync().GetAwaiter().GetResult();
        Host.Dispose();
    }
}
