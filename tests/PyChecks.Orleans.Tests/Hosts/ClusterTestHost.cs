using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace PyChecks.Orleans.Tests.Hosts;

/// <summary>
/// A cluster host as an application writes one: the Generic Host with PyChecks, a sender, a check of its own, and an
/// Orleans silo on Redis clustering that shares the cluster checks. Membership timeouts are short, so that a killed
/// host is declared dead within seconds (<see cref="HostSettings"/>).
/// </summary>
public static class ClusterTestHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = HostSettings.Parse(args);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("PyChecks.Orleans", LogLevel.Debug);
        builder.Logging.AddFilter("PyChecks.Scheduling.CheckScheduler", LogLevel.Information);

        using var recorder = new RunRecorder(settings.RecordFile);
        builder.Services.AddSingleton<ISender>(recorder);
        builder.Services.AddSingleton<ICheckLoader, ProbeCheckLoader>();
        builder.Services.AddPyChecks(o =>
        {
            o.Hostname = settings.Name;
            o.Checks.Add(new CheckConfig
            {
                Name = ProbeCheckLoader.CheckName,
                Instances = [.. Enumerable.Range(0, settings.Instances + settings.ExtraInstances).Select(i => new Dictionary<string, object?>
                {
                    ["n"] = (long)i,
                    ["min_collection_interval"] = settings.IntervalSeconds,
                })],
            });
        });

        builder.UseOrleans(silo =>
        {
            silo.UseRedisClustering($"127.0.0.1:{settings.RedisPort}");
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = "pychecks-tests";
                o.ServiceId = "pychecks-tests";
            });
            silo.Configure<SiloOptions>(o => o.SiloName = settings.Name);
            silo.ConfigureEndpoints(IPAddress.Loopback, settings.SiloPort, settings.GatewayPort);
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = settings.ProbeTimeout;
                o.NumMissedProbesLimit = settings.MissedProbes;
                o.TableRefreshTimeout = settings.TableRefresh;
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
            });
            silo.AddPyChecksCluster(o =>
            {
                o.CheckNames.Add(ProbeCheckLoader.CheckName);
                o.SweepPeriod = settings.SweepPeriod;
            });
        });

        if (settings.ApiSocket is { } socket)
        {
            builder.Services.AddPyChecksLocalApi(o =>
            {
                o.UnixSocketPath = socket;
                o.TokenFilePath = socket + ".token";
            });
        }

        using var host = builder.Build();
        await host.StartAsync();
        await Console.Out.WriteLineAsync("started");
        if (settings.ForceOverlap)
        {
            await ForceOverlapAsync(host.Services);
        }

        // Stopped by the test: SIGTERM (the Generic Host's own stop) or a line "stop" on stdin (or its end) for a graceful
        // stop, SIGKILL otherwise.
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        _ = Task.Run(async () =>
        {
            while (await Console.In.ReadLineAsync() is { } line && line != "stop")
            {
            }

            lifetime.StopApplication();
        });
        await host.WaitForShutdownAsync();
        await Console.Out.WriteLineAsync("stopped");
        return 0;
    }

    /// <summary>
    /// A fault for the overlap test: once this host owns its share, it also starts an instance that another host runs
    /// (through the placement's own entry point, as a duplicate activation would), and prints <c>overlap &lt;check id&gt;</c>.
    /// </summary>
    private static async Task ForceOverlapAsync(IServiceProvider services)
    {
        var placement = services.GetRequiredService<Placement.ClusterCheckPlacement>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (placement.OwnedCount == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        // One that stays elsewhere: rendezvous hashing gives it to another active host, with this one among them.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var membership = services.GetRequiredService<IClusterMembershipService>();
        var self = services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var active = Placement.ActiveSilos.Of(membership.CurrentSnapshot);
        string id = placement.Configuration.CheckIds.First(i => !placement.IsOwned(i) && !Placement.RendezvousPlacementDirector.SiloFor(i, active).Equals(self));
        await placement.TakeAsync(id);
        await Console.Out.WriteLineAsync($"overlap {id}");
    }
}

/// <summary>What a test host runs with; the test reads the same numbers to state its bounds.</summary>
public sealed record HostSettings
{
    public required string Name { get; init; }

    public required int RedisPort { get; init; }

    public required int SiloPort { get; init; }

    public required int GatewayPort { get; init; }

    public required string RecordFile { get; init; }

    /// <summary>Where the test keeps the host's output (the test's side only).</summary>
    public string? LogFile { get; init; }

    public int Instances { get; init; } = 3000;

    public long IntervalSeconds { get; init; } = 5;

    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(1);

    public int MissedProbes { get; init; } = 2;

    public TimeSpan TableRefresh { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan SweepPeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Instances configured beyond <see cref="Instances"/>: a host with other ones reads another configuration.</summary>
    public int ExtraInstances { get; init; }

    /// <summary>Where the host serves its control API (a Unix socket; the token beside it); none when null.</summary>
    public string? ApiSocket { get; init; }

    /// <summary>Whether the host, once it owns its share, also starts an instance another host runs (an overlap).</summary>
    public bool ForceOverlap { get; init; }

    public IEnumerable<string> ToArguments() =>
    [
        Name, I(RedisPort), I(SiloPort), I(GatewayPort), RecordFile, I(Instances), I(IntervalSeconds),
        I(ProbeTimeout.TotalMilliseconds), I(MissedProbes), I(TableRefresh.TotalMilliseconds), I(SweepPeriod.TotalMilliseconds),
        I(ExtraInstances), ApiSocket ?? "-", ForceOverlap ? "overlap" : "-",
    ];

    public static HostSettings Parse(string[] args) => new()
    {
        Name = args[0],
        RedisPort = int.Parse(args[1], CultureInfo.InvariantCulture),
        SiloPort = int.Parse(args[2], CultureInfo.InvariantCulture),
        GatewayPort = int.Parse(args[3], CultureInfo.InvariantCulture),
        RecordFile = args[4],
        Instances = int.Parse(args[5], CultureInfo.InvariantCulture),
        IntervalSeconds = long.Parse(args[6], CultureInfo.InvariantCulture),
        ProbeTimeout = TimeSpan.FromMilliseconds(double.Parse(args[7], CultureInfo.InvariantCulture)),
        MissedProbes = int.Parse(args[8], CultureInfo.InvariantCulture),
        TableRefresh = TimeSpan.FromMilliseconds(double.Parse(args[9], CultureInfo.InvariantCulture)),
        SweepPeriod = TimeSpan.FromMilliseconds(double.Parse(args[10], CultureInfo.InvariantCulture)),
        ExtraInstances = args.Length > 11 ? int.Parse(args[11], CultureInfo.InvariantCulture) : 0,
        ApiSocket = args.Length > 12 && args[12] != "-" ? args[12] : null,
        ForceOverlap = args.Length > 13 && args[13] == "overlap",
    };

    private static string I(double value) => value.ToString(CultureInfo.InvariantCulture);
}
