namespace PyChecks.Tests.Conformance;

/// <summary>
/// What the integrations read, on this machine: one <see cref="StandInServer"/> per service (each on its own port,
/// as the real services would be) and, for <c>directory</c>, a folder of known files.
/// </summary>
internal sealed class StandIns : IAsyncDisposable
{
    private const string Json = "application/json";

    /// <summary>The files put in <see cref="Directory"/>: name and size in bytes.</summary>
    public static readonly IReadOnlyList<(string Name, int Size)> DirectoryFiles = [("access.log", 4096), ("error.log", 512), ("rotated/access.log.1", 10_000)];

    private StandIns(StandInServer apache, StandInServer lighttpd, StandInServer fluentd, StandInServer goExpvar, StandInServer openMetrics, string directory)
    {
        Apache = apache;
        Lighttpd = lighttpd;
        Fluentd = fluentd;
        GoExpvar = goExpvar;
        OpenMetrics = openMetrics;
        Directory = directory;
    }

    /// <summary>Apache's <c>mod_status</c>: <c>/server-status?auto</c>.</summary>
    public StandInServer Apache { get; }

    /// <summary>lighttpd's <c>mod_status</c>: <c>/server-status?auto</c>.</summary>
    public StandInServer Lighttpd { get; }

    /// <summary>Fluentd's <c>monitor_agent</c>: <c>/api/plugins.json</c> and <c>/api/config.json</c>.</summary>
    public StandInServer Fluentd { get; }

    /// <summary>A Go program's <c>expvar</c>: <c>/debug/vars</c>.</summary>
    public StandInServer GoExpvar { get; }

    /// <summary>A Prometheus exporter: <c>/metrics</c> in the text exposition format.</summary>
    public StandInServer OpenMetrics { get; }

    /// <summary>A folder for <c>directory</c> to walk, holding <see cref="DirectoryFiles"/>.</summary>
    public string Directory { get; }

    /// <summary>Starts every server and fills the folder.</summary>
    public static async Task<StandIns> StartAsync()
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("pychecks-directory-check").FullName;
        foreach (var (name, size) in DirectoryFiles)
        {
            string path = Path.Combine(directory, name);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, new byte[size]);
        }

        return new StandIns(
            await StandInServer.StartAsync("apache", "Apache/2.4.57 (Unix)", new Dictionary<string, (string, string)>
            {
                ["/server-status"] = ("apache-server-status.txt", "text/plain; charset=ISO-8859-1"),
            }),
            await StandInServer.StartAsync("lighttpd", "lighttpd/1.4.69", new Dictionary<string, (string, string)>
            {
                ["/server-status"] = ("lighttpd-server-status.txt", "text/plain"),
            }),
            await StandInServer.StartAsync("fluentd", "WEBrick/1.8.1 (Ruby/3.2.2/2023-03-30)", new Dictionary<string, (string, string)>
            {
                ["/api/plugins.json"] = ("fluentd-plugins.json", Json),
                ["/api/config.json"] = ("fluentd-config.json", Json),
            }),
            await StandInServer.StartAsync("go_expvar", null, new Dictionary<string, (string, string)>
            {
                ["/debug/vars"] = ("expvar.json", "application/json; charset=utf-8"),
            }),
            await StandInServer.StartAsync("openmetrics", null, new Dictionary<string, (string, string)>
            {
                ["/metrics"] = ("openmetrics.txt", "text/plain; version=0.0.4; charset=utf-8"),
            }),
            directory);
    }

    /// <summary>Stops the servers and removes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var server in new[] { Apache, Lighttpd, Fluentd, GoExpvar, OpenMetrics })
        {
            await server.DisposeAsync();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
