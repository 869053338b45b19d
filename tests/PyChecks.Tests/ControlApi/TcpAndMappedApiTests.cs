using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.ControlApi;

/// <summary>The API on loopback TCP — the local listener, with its Host check — and mapped into an ASP.NET Core app with MapPyChecks.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class TcpAndMappedApiTests
{
    private const string GivenToken = "given-token-0123456789abcdef";

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void LocalApi_OnLoopbackTcp_ServesOnlyRequestsNamingLoopback(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = LocalApiTests.Folder();
        using var hosted = HostedChecks.Start(folder, services: s => s.AddPyChecksLocalApi(o =>
        {
            o.TcpPort = 0;
            o.Token = GivenToken;
            o.RequireTokenForReads = true;
        }));
        var info = hosted.Host.Services.GetRequiredService<PyChecksLocalApi>();
        Assert.That(info.UnixSocketPath, Is.Null);
        Assert.That(info.TokenFilePath, Is.Null, "a given token is not written anywhere");
        var endPoint = info.TcpEndPoint!;
        Assert.That(IPAddress.IsLoopback(endPoint.Address), Is.True);
        Assert.That(endPoint.Port, Is.Positive);

        using var client = ApiClient.OverTcp(endPoint, GivenToken);
        client.Get("status").Expect(HttpStatusCode.OK);
        Assert.That(client.Get("checks").Expect(HttpStatusCode.OK).Json.GetProperty("checks").GetArrayLength(), Is.EqualTo(1));
        client.Post("checks/probe/run", "{}").Expect(HttpStatusCode.OK);
        client.Send(HttpMethod.Post, "reload", token: "not-the-token-0123456789").Expect(HttpStatusCode.Unauthorized, "unauthorized");
        client.Send(HttpMethod.Get, "status", token: string.Empty).Expect(HttpStatusCode.Unauthorized, "unauthorized");
        client.Send(HttpMethod.Get, "checks", token: "not-the-token-0123456789").Expect(HttpStatusCode.Unauthorized, "unauthorized");

        foreach (string host in new[] { $"localhost:{endPoint.Port}", $"127.0.0.1:{endPoint.Port}", $"LOCALHOST:{endPoint.Port}" })
        {
            client.Send(HttpMethod.Get, "status", configure: r => r.Headers.Host = host).Expect(HttpStatusCode.OK);
        }

        foreach (string host in new[] { $"attacker.example:{endPoint.Port}", "attacker.example", $"127.0.0.1:{endPoint.Port + 1}", "localhost", $"127.0.0.2:{endPoint.Port}", $"localhost.attacker.example:{endPoint.Port}" })
        {
            client.Send(HttpMethod.Get, "status", configure: r => r.Headers.Host = host).Expect(HttpStatusCode.BadRequest, "invalid_host");
            client.Send(HttpMethod.Post, "reload", configure: r => r.Headers.Host = host).Expect(HttpStatusCode.BadRequest, "invalid_host");
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void MapPyChecks_InAWebApp_ServesUnderItsPrefix_AndTakesTheHostsConventions(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = LocalApiTests.Folder();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddPyChecks(o =>
        {
            o.ChecksDirectory = folder.ChecksDirectory;
            o.ConfigDirectory = folder.ConfigDirectory;
            o.Python.Python = ChildPython.Library;
            o.PersistentCacheDirectory = Path.Combine(folder.Root, "cache");
            o.MaxStartJitter = TimeSpan.Zero;
        });
        builder.Services.AddPyChecksControlApi(o => o.TokenFilePath = Path.Combine(folder.Root, "web.token"));
        var app = builder.Build();
        var endpoints = new List<string>();
        app.MapPyChecks("/pychecks").Add(endpoint => endpoints.Add(endpoint.DisplayName ?? "?"));
        app.MapGet("/other", () => "the app's own route");
        app.StartAsync().GetAwaiter().GetResult();
        try
        {
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            var endPoint = IPEndPoint.Parse(new Uri(address).Authority);
            string token = File.ReadAllText(Path.Combine(folder.Root, "web.token"));
            using var client = ApiClient.OverTcp(endPoint, token, "/pychecks");

            Eventually.That(() => client.Get("checks").Json.GetProperty("checks").GetArrayLength() == 1, "the probe scheduled");
            Assert.That(client.Get("status").Expect(HttpStatusCode.OK).Json.GetProperty("python").GetProperty("libraryPath").GetString(), Is.EqualTo(ChildPython.Library));
            client.Post("checks/probe/run").Expect(HttpStatusCode.OK);
            client.Post("reload", "{}").Expect(HttpStatusCode.OK);
            client.Send(HttpMethod.Post, "reload", token: string.Empty).Expect(HttpStatusCode.Unauthorized, "unauthorized");
            client.Get("nope").Expect(HttpStatusCode.NotFound, "not_found");
            client.Post("status").Expect(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
            client.Post("reload", "{oops").Expect(HttpStatusCode.BadRequest, "malformed_json");
            client.Post("reload", "{\"pad\": \"" + new string('x', 70 * 1024) + "\"}").Expect(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

            using var root = ApiClient.OverTcp(endPoint, token);
            Assert.That(root.Get("other").Text, Is.EqualTo("the app's own route"), "routes outside the prefix are the app's");
            Assert.That(endpoints, Has.Count.EqualTo(15), "every route of the API (the profiles routes included) went through the host's convention");
        }
        finally
        {
            app.StopAsync().GetAwaiter().GetResult();
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    });

    [Test]
    public void MapPyChecks_WithoutItsServices_SaysWhatToAdd()
    {
        var app = WebApplication.CreateSlimBuilder().Build();
        var e = Assert.Throws<InvalidOperationException>(() => app.MapPyChecks());
        Assert.That(e!.Message, Does.Contain("AddPyChecksControlApi"));
    }
}
