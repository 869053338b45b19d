using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PyChecks.Tests.ControlApi;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Tool;

/// <summary>
/// Finding a host, and the errors of not finding one: the socket the host's defaults place, nothing listening at a
/// socket, a host of another version. Each says what happened and what to do, and exits 3.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ToolHostErrorsTests
{
    [Test]
    public void NoSuchSocket_ExitsThree_SayingNoHostListens()
    {
        string socket = Path.Combine(Directory.CreateTempSubdirectory("pychecks-tool").FullName, "gone.sock");
        var (exit, output, error) = ToolRun.Run("checks", "--socket", socket);
        Assert.That(exit, Is.EqualTo(3));
        Assert.That(output, Is.Empty);
        Assert.That(error, Is.EqualTo($"error: No PyChecks host is listening at {socket}: there is no such socket. Is the host running? Give --socket PATH or --app NAME for another one.\n"));
    }

    [Test]
    public void ASocketNobodyAcceptsOn_ExitsThree_SayingSo()
    {
        string socket = Path.Combine(Directory.CreateTempSubdirectory("pychecks-tool").FullName, "stale.sock");
        // Bound, never listening: as the file a host that was killed leaves behind (.NET removes it when the socket is closed).
        using var left = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        left.Bind(new UnixDomainSocketEndPoint(socket));

        var (exit, _, error) = ToolRun.Run("status", "--socket", socket);
        Assert.That(exit, Is.EqualTo(3));
        Assert.That(error, Does.StartWith($"error: No PyChecks host is listening at {socket}: the socket is there but nothing accepts on it"));
    }

    [Test]
    public void AHostOfAnotherVersion_ExitsThree_NamingBothVersionsAndTheToolToInstall()
    {
        string socket = Path.Combine(Directory.CreateTempSubdirectory("pychecks-tool").FullName, "other.sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.ListenUnixSocket(socket));
        using var app = builder.Build();
        app.MapGet("/status", () => Results.Text("""{"version":"9.4.1","processId":1,"python":{},"scheduler":{}}""", "application/json"));
        app.StartAsync().GetAwaiter().GetResult();
        try
        {
            var (exit, _, error) = ToolRun.Run("status", "--socket", socket);
            Assert.That(exit, Is.EqualTo(3));
            Assert.That(error, Is.EqualTo(
                $"error: The host at unix:{socket} runs PyChecks 9.4.1, and this pychecks is {PyChecks.Tool.CommandLine.ToolCommandLine.Version}: their control APIs may differ. " +
                "Use the tool of the host's version: dotnet tool update --global PyChecks.Tool --version 9.4.1 (or in the tool manifest of the project).\n"));
        }
        finally
        {
            app.StopAsync().GetAwaiter().GetResult();
        }
    }

    [Test]
    public void DefaultFolder_WithNoSocket_OrSeveral_SaysWhereItLookedAndWhatToGive()
    {
        string runtime = Directory.CreateTempSubdirectory("pychecks-xdg").FullName;
        var result = Isolated.RunChild(((Action)NoneThenTwo).Method, new Dictionary<string, string?> { ["XDG_RUNTIME_DIR"] = runtime }, TimeSpan.FromMinutes(1));
        Assert.That(result.ExitCode, Is.Zero, result.Output);

        static void NoneThenTwo()
        {
            string folder = Path.Combine(Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR")!, "pychecks");
            var (exit, _, error) = ToolRun.Run("status");
            Assert.That(exit, Is.EqualTo(3));
            Assert.That(error, Does.StartWith($"error: No PyChecks host's socket in {folder}, where a host's control API puts it by default (AddPyChecksLocalApi): start the host, or give --socket PATH"));

            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "A.sock"), string.Empty);
            File.WriteAllText(Path.Combine(folder, "B.sock"), string.Empty);
            (exit, _, error) = ToolRun.Run("status");
            Assert.That(exit, Is.EqualTo(3));
            Assert.That(error, Is.EqualTo($"error: Several hosts' sockets in {folder}: A.sock, B.sock. Choose one with --app NAME (the file name without .sock) or --socket PATH.\n"));
        }
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void AHostWithTheDefaultPaths_IsFoundWithoutOptions_TokenIncluded(PythonInstall install)
    {
        string runtime = Directory.CreateTempSubdirectory("pychecks-xdg").FullName;
        Isolated.Run(install, static () =>
        {
            using var hosted = HostedChecks.Start(LocalApiTests.Folder(), fakeTime: false, services: s => s.AddPyChecksLocalApi());
            string socket = hosted.Host.Services.GetRequiredService<PyChecksLocalApi>().UnixSocketPath!;
            Assert.That(Path.GetDirectoryName(socket), Is.EqualTo(Path.Combine(Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR")!, "pychecks")));

            var (exit, output, error) = ToolRun.Run("status");
            Assert.That(exit, Is.Zero, error);
            Assert.That(output, Does.Contain($"  control API  unix:{socket}\n"));

            // A mutation: the token is read from the file next to the socket, where the host wrote it.
            var (reload, reloaded, reloadError) = ToolRun.Run("reload", "--app", Path.GetFileNameWithoutExtension(socket));
            Assert.That(reload, Is.Zero, reloadError);
            Assert.That(reloaded, Does.Contain("\n  unchanged  1\n"));
        }, new Dictionary<string, string?> { ["XDG_RUNTIME_DIR"] = runtime });
    }
}
