using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PyChecks.Tests.Conformance;

/// <summary>
/// A service an integration reads, played by Kestrel on 127.0.0.1 with a port the OS picks: each route answers
/// a payload in the real service's format (read from <c>Conformance/StandIns/</c>), with its content type and
/// <c>Server</c> header; anything else is a 404. Requests are counted per route.
/// </summary>
internal sealed class StandInServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, int> _hits;

    private StandInServer(WebApplication app, string name, Dictionary<string, int> hits)
    {
        _app = app;
        _hits = hits;
        Name = name;
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Port = new Uri(address).Port;
    }

    /// <summary>The service it stands in for, e.g. <c>apache</c>.</summary>
    public string Name { get; }

    /// <summary>The port the OS assigned.</summary>
    public int Port { get; }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>.</summary>
    public string BaseUrl => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}");

    /// <summary>The folder of the payload files, next to the test assembly.</summary>
    public static string PayloadDirectory => Path.Combine(AppContext.BaseDirectory, "Conformance", "StandIns");

    /// <summary>Starts a server for <paramref name="name"/> answering each route with its payload file.</summary>
    /// <param name="name">The service, for messages.</param>
    /// <param name="server">The <c>Server</c> response header the real service sends (integrations read versions from it), or none.</param>
    /// <param name="routes">Path (query ignored) → payload file name and content type.</param>
    public static async Task<StandInServer> StartAsync(string name, string? server, IReadOnlyDictionary<string, (string File, string ContentType)> routes)
    {
        var payloads = routes.ToDictionary(
            r => r.Key,
            r => (Body: File.ReadAllBytes(Path.Combine(PayloadDirectory, r.Value.File)), r.Value.ContentType),
            StringComparer.Ordinal);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0").ConfigureKestrel(o => o.AddServerHeader = false);
        var app = builder.Build();
        var hits = new Dictionary<string, int>(StringComparer.Ordinal);
        app.Run(async context =>
        {
            if (server is not null)
            {
                context.Response.Headers.Server = server;
            }

            if (!HttpMethods.IsGet(context.Request.Method) || !payloads.TryGetValue(context.Request.Path.Value ?? "/", out var payload))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            lock (hits)
            {
                hits[context.Request.Path.Value!] = hits.GetValueOrDefault(context.Request.Path.Value!) + 1;
            }

            context.Response.ContentType = payload.ContentType;
            context.Response.ContentLength = payload.Body.Length;
            await context.Response.Body.WriteAsync(payload.Body, context.RequestAborted);
        });
        await app.StartAsync();
        return new StandInServer(app, name, hits);
    }

    /// <summary>Requests answered on <paramref name="path"/> so far.</summary>
    public int Hits(string path)
    {
        lock (_hits)
        {
            return _hits.GetValueOrDefault(path);
        }
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
