using PyChecks.Orleans.Tests.Hosts;

namespace PyChecks.Orleans.Tests.Infrastructure;

/// <summary>
/// What a multi-host test runs on: a <c>redis-server</c> of its own, a folder for the hosts' run files and logs, and the
/// host processes it started. Disposed at the end of the test: the hosts are killed, and the folder is deleted when the
/// test <see cref="Succeeded"/>, kept (and named in the test's output) when it did not.
/// </summary>
public sealed class ClusterRun : IDisposable
{
    private bool _succeeded;

    private ClusterRun(RedisServer redis, string folder) => (Redis, Folder) = (redis, folder);

    public RedisServer Redis { get; }

    public string Folder { get; }

    public List<HostProcess> Hosts { get; } = [];

    /// <summary>Starts the Redis server (the test is skipped when <c>redis-server</c> is not installed) and makes the folder.</summary>
    public static ClusterRun Start() => new(RedisServer.Start(), Directory.CreateTempSubdirectory("pychecks-cluster-").FullName);

    /// <summary>A host of this run: its ports, its run file and log in the folder, <paramref name="instances"/> every <paramref name="interval"/>.</summary>
    public HostSettings Settings(string name, int instances, TimeSpan interval) => new()
    {
        Name = name,
        RedisPort = Redis.Port,
        SiloPort = FreePort.Next(),
        GatewayPort = FreePort.Next(),
        RecordFile = RunLog.FileOf(Folder, name),
        LogFile = Path.Combine(Folder, name + ".log"),
        Instances = instances,
        IntervalSeconds = (long)interval.TotalSeconds,
    };

    /// <summary>Starts a host process, disposed with the run.</summary>
    public HostProcess StartHost(HostSettings settings)
    {
        var host = HostProcess.Start(settings);
        Hosts.Add(host);
        return host;
    }

    /// <summary>The test's assertions passed: the folder goes at the end.</summary>
    public void Succeeded() => _succeeded = true;

    public void Dispose()
    {
        foreach (var host in Hosts)
        {
            host.Dispose();
        }

        Redis.Dispose();
        if (_succeeded)
        {
            Directory.Delete(Folder, recursive: true);
        }
        else
        {
            NUnit.Framework.TestContext.Out.WriteLine($"runs and host logs kept in {Folder}");
        }
    }
}
