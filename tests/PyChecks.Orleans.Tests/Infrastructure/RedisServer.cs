using System.Diagnostics;
using System.Net.Sockets;
using NUnit.Framework;

namespace PyChecks.Orleans.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> of the test's own, on a free loopback port with a temporary folder, no persistence;
/// stopped and removed on dispose. A test that needs one is ignored, with the reason, where the server is not installed.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private RedisServer(Process process, string folder, int port) => (_process, _folder, Port) = (process, folder, port);

    public int Port { get; }

    public static RedisServer Start()
    {
        string? executable = Find();
        if (executable is null)
        {
            Assert.Ignore("redis-server is not installed (Debian: apt-get install redis-server); the cluster tests run on Redis clustering");
        }

        string folder = Directory.CreateTempSubdirectory("pychecks-redis-").FullName;
        int port = FreePort.Next();
        var start = new ProcessStartInfo(executable!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (string argument in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", folder, "--save", "", "--appendonly", "no", "--daemonize", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, folder, port);
        var deadline = Stopwatch.StartNew();
        while (!server.Accepts())
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                server.Dispose();
                Assert.Fail($"redis-server did not accept connections on port {port} within 20 s");
            }

            Thread.Sleep(50);
        }

        return server;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/sbin")
            .Select(static d => Path.Combine(d, "redis-server"))
            .FirstOrDefault(File.Exists);
}
