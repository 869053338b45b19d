using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace PyChecks.Tests.ControlApi;

/// <summary>What stops the local listener from starting, before it touches Python: bad options, a path that is not ours.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class LocalApiStartTests
{
    [TestCase("0.0.0.0")]
    [TestCase("192.168.1.10")]
    [TestCase("::")]
    public void Start_OnANonLoopbackAddress_IsRefusedUnlessForced(string address)
    {
        var e = Assert.Throws<OptionsValidationException>(() => StartListenerOnly(o => { o.TcpPort = 0; o.TcpAddress = address; }));
        Assert.That(e!.Message, Does.Contain("TcpAddress").And.Contain("not a loopback address"));
    }

    [Test]
    public void Start_WithBadOptions_NamesEachOption()
    {
        var e = Assert.Throws<OptionsValidationException>(() => StartListenerOnly(o =>
        {
            o.Token = "short";
            o.MaxRequestBodyBytes = 0;
            o.TcpAddress = "localhost.example";
            o.RecentSamplesTotal = 0;
            o.UnixSocketPath = "/tmp/" + new string('s', 200);
        }));
        Assert.That(e!.Failures, Has.Some.StartsWith("Token:"));
        Assert.That(e.Failures, Has.Some.StartsWith("MaxRequestBodyBytes:"));
        Assert.That(e.Failures, Has.Some.StartsWith("TcpAddress:"));
        Assert.That(e.Failures, Has.Some.StartsWith("RecentSamplesTotal:"));
        Assert.That(e.Failures, Has.Some.StartsWith("UnixSocketPath:"));
    }

    [Test]
    public void Start_OnASocketPathTakenByARegularFile_IsRefusedAndTheFileKept()
    {
        string folder = Directory.CreateTempSubdirectory("pychecks-api").FullName;
        string path = Path.Combine(folder, "api.sock");
        File.WriteAllText(path, "precious");

        var e = Assert.Throws<ControlApiStartException>(() => StartListenerOnly(o => o.UnixSocketPath = path));
        Assert.That(e!.Message, Does.Contain("not a socket"));
        Assert.That(File.ReadAllText(path), Is.EqualTo("precious"));
    }

    [Test]
    public void Start_OnASocketAnotherProcessListensOn_IsRefused()
    {
        string folder = Directory.CreateTempSubdirectory("pychecks-api").FullName;
        string path = Path.Combine(folder, "api.sock");
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(path));
        live.Listen();

        var e = Assert.Throws<ControlApiStartException>(() => StartListenerOnly(o => o.UnixSocketPath = path));
        Assert.That(e!.Message, Does.Contain("is listening on the control API's socket"));
    }

    [Test]
    public void Token_Generated_IsWrittenOwnerOnly_AndGivenTokenIsNotWritten()
    {
        string folder = Directory.CreateTempSubdirectory("pychecks-api").FullName;
        string file = Path.Combine(folder, "sub", "api.token");
        using (var generated = AspNetCore.Security.ApiToken.Create(new PyChecksApiOptions { TokenFilePath = file }, "app"))
        {
            string token = File.ReadAllText(file);
            Assert.That(token, Does.Match("^[0-9a-f]{64}$"));
            Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(File.GetUnixFileMode(Path.GetDirectoryName(file)!), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
            Assert.That(generated.Matches("Bearer " + token), Is.True);
            Assert.That(generated.Matches("bearer " + token), Is.True);
            Assert.That(generated.Matches("Bearer " + token[..^1]), Is.False);
            Assert.That(generated.Matches(token), Is.False);
            Assert.That(generated.Matches(null), Is.False);
        }

        Assert.That(File.Exists(file), Is.False, "removed when the API is disposed");
        using var given = AspNetCore.Security.ApiToken.Create(new PyChecksApiOptions { Token = "given-token-0123456789", TokenFilePath = file }, "app");
        Assert.That(given.FilePath, Is.Null);
        Assert.That(File.Exists(file), Is.False);
        Assert.That(given.Matches("Bearer given-token-0123456789"), Is.True);
    }

    [Test]
    public void AFailureInTheHost_AnswersAGeneric500_AndLogsTheDetails()
    {
        string folder = Directory.CreateTempSubdirectory("pychecks-api").FullName;
        var logs = new Infrastructure.RecordingLoggerProvider();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<ICheckStatusStore, FailingStatusStore>();
        builder.Services.AddPyChecksLocalApi(o => o.UnixSocketPath = Path.Combine(folder, "api.sock"));
        using var host = builder.Build();
        host.StartAsync().GetAwaiter().GetResult();
        try
        {
            var info = host.Services.GetRequiredService<PyChecksLocalApi>();
            using var client = ApiClient.OverSocket(info.UnixSocketPath!, File.ReadAllText(info.TokenFilePath!));
            foreach (string path in new[] { "checks", "checks/x:1", "status" })
            {
                var response = client.Get(path).Expect(System.Net.HttpStatusCode.InternalServerError, "internal_error");
                Assert.That(response.Text, Does.Not.Contain("/srv/secret").And.Not.Contain("FailingStatusStore").And.Not.Contain("PythonRuntime"));
            }

            Assert.That(logs.Entries.Where(e => e.Level == LogLevel.Error).Select(e => e.Message), Has.Some.Contains("GET /checks failed"));
            client.Get("metrics/recent").Expect(System.Net.HttpStatusCode.OK);
        }
        finally
        {
            host.StopAsync().GetAwaiter().GetResult();
        }
    }

    /// <summary>A host with the listener and none of PyChecks' core services, started and stopped: it fails before any request could touch Python.</summary>
    private static void StartListenerOnly(Action<PyChecksApiOptions> configure)
    {
        string folder = Directory.CreateTempSubdirectory("pychecks-api").FullName;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddPyChecksLocalApi(o =>
        {
            o.UnixSocketPath = Path.Combine(folder, "api.sock");
            o.TokenFilePath = Path.Combine(folder, "api.token");
            configure(o);
        });
        using var host = builder.Build();
        try
        {
            host.StartAsync().GetAwaiter().GetResult();
        }
        finally
        {
            host.StopAsync().GetAwaiter().GetResult();
        }
    }

    /// <summary>A status store that fails, standing in for a bug in the host.</summary>
    private sealed class FailingStatusStore : ICheckStatusStore
    {
        public IReadOnlyList<string> LoadErrors => throw new InvalidOperationException("store at /srv/secret is broken");

        public IReadOnlyList<CheckStatus> GetAll() => throw new InvalidOperationException("store at /srv/secret is broken");

        public CheckStatus? Find(string checkId) => throw new InvalidOperationException("store at /srv/secret is broken");
    }
}
