using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Orleans.TestingHost;
using PyChecks.Orleans.Placement;
using PyChecks.Orleans.Tests.Infrastructure;

namespace PyChecks.Orleans.Tests.Dispatch;

/// <summary>
/// The configuration the dispatch tests share: a <c>conf.d</c> of <see cref="CountingCheck"/>s, some of them cluster
/// checks by each of the three ways an instance becomes one, and some node-local.
/// </summary>
public static class DispatchConfiguration
{
    /// <summary>A file with <c>cluster_check: true</c> at the top: all its instances are cluster checks.</summary>
    public const string FileCluster = "file_cluster_probe";

    /// <summary>Named in <see cref="ClusterCheckOptions.CheckNames"/>: all its instances are cluster checks.</summary>
    public const string NamedCluster = "named_cluster_probe";

    /// <summary>Even instances have <c>cluster_check: true</c>, odd ones not.</summary>
    public const string Mixed = "mixed_probe";

    /// <summary>Node-local: runs on every host.</summary>
    public const string Local = "local_probe";

    public const int FileClusterInstances = 120;
    public const int NamedClusterInstances = 40;
    public const int MixedInstances = 40;
    public const int LocalInstances = 10;

    public const int ClusterInstances = FileClusterInstances + NamedClusterInstances + (MixedInstances / 2);
    public const int LocalInstancesAll = LocalInstances + (MixedInstances / 2);

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public static readonly IReadOnlySet<string> Names = new HashSet<string>([FileCluster, NamedCluster, Mixed, Local], StringComparer.Ordinal);

    /// <summary>Whether the test means <paramref name="config"/> to be a cluster check (what the dispatcher must agree with).</summary>
    public static bool MeantAsCluster(CheckInstanceConfig config) => config.CheckName switch
    {
        FileCluster or NamedCluster => true,
        Mixed => Convert.ToInt64(config.Instance["n"], CultureInfo.InvariantCulture) % 2 == 0,
        _ => false,
    };

    /// <summary>Writes the files; <paramref name="fileClusterInstances"/> of <see cref="FileCluster"/> (fewer to remove some).</summary>
    public static void Write(string confD, int fileClusterInstances = FileClusterInstances)
    {
        Directory.CreateDirectory(confD);
        long seconds = (long)Interval.TotalSeconds;
        File.WriteAllText(Path.Combine(confD, FileCluster + ".yaml"), "cluster_check: true\n" + Instances(fileClusterInstances, seconds, static _ => null));
        File.WriteAllText(Path.Combine(confD, NamedCluster + ".yaml"), Instances(NamedClusterInstances, seconds, static _ => null));
        File.WriteAllText(Path.Combine(confD, Mixed + ".yaml"), Instances(MixedInstances, seconds, static n => n % 2 == 0 ? "true" : null));
        File.WriteAllText(Path.Combine(confD, Local + ".yaml"), Instances(LocalInstances, seconds, static _ => null));
    }

    private static string Instances(int count, long seconds, Func<int, string?> clusterCheck)
    {
        var text = new StringBuilder("init_config:\ninstances:\n");
        for (int n = 0; n < count; n++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  - n: {n}\n    min_collection_interval: {seconds}\n");
            if (clusterCheck(n) is { } flag)
            {
                text.Append(CultureInfo.InvariantCulture, $"    cluster_check: {flag}\n");
            }
        }

        return text.ToString();
    }
}

/// <summary>
/// An in-process Orleans cluster (<see cref="InProcessTestCluster"/>) whose silos each host PyChecks (<c>AddPyChecks</c>,
/// its own scheduler, status store and cluster placement) and <c>AddPyChecksCluster</c>. CPython is one per process, so
/// the silos share one <see cref="CheckHost"/> (the loaders and <c>conf.d</c>); everything else is each silo's own.
/// </summary>
internal sealed class DispatchCluster : IAsyncDisposable
{
    private DispatchCluster(InProcessTestCluster cluster) => Cluster = cluster;

    public InProcessTestCluster Cluster { get; }

    public static async Task<DispatchCluster> StartAsync(CheckHost host, string confD, int silos)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((options, silo) =>
        {
            // Registered before AddPyChecks, whose registrations are TryAdd: the shared host and its runtime (instances: no silo disposes them).
            silo.Services.AddSingleton(host);
            silo.Services.AddSingleton(host.Runtime);
            silo.Services.AddPyChecks(o =>
            {
                o.ConfigDirectory = confD;
                o.Hostname = options.SiloName;
            });
            // The default SweepPeriod (30 s), longer than any wait here: every change must come from its own trigger, not a periodic sweep.
            silo.AddPyChecksCluster(static o => o.CheckNames.Add(DispatchConfiguration.NamedCluster));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new DispatchCluster(cluster);
    }

    public IReadOnlyList<InProcessSiloHandle> ActiveSilos => [.. Cluster.Silos.Where(static s => s.IsActive)];

    public static ClusterCheckPlacement Placement(InProcessSiloHandle silo) => silo.SiloHost.Services.GetRequiredService<ClusterCheckPlacement>();

    public static ICheckScheduler Scheduler(InProcessSiloHandle silo) => silo.SiloHost.Services.GetRequiredService<ICheckScheduler>();

    public static ICheckStatusStore Status(InProcessSiloHandle silo) => silo.SiloHost.Services.GetRequiredService<ICheckStatusStore>();

    /// <summary>The silo that rendezvous hashing gives each configured cluster check to, among the active silos.</summary>
    public Dictionary<string, InProcessSiloHandle> ExpectedOwners()
    {
        var silos = ActiveSilos;
        var addresses = silos.Select(static s => s.SiloAddress).ToList();
        return Placement(silos[0]).Configuration.CheckIds.ToDictionary(
            static id => id,
            id => silos[addresses.IndexOf(RendezvousPlacementDirector.SiloFor(id, addresses))],
            StringComparer.Ordinal);
    }

    /// <summary>Whether each active silo owns exactly the cluster checks that go to it, and no stopped one owns any.</summary>
    public bool Settled(int configured)
    {
        var silos = ActiveSilos;
        if (silos.Any(s => Placement(s).Configuration.CheckIds.Count != configured))
        {
            return false;
        }

        var expected = ExpectedOwners();
        return silos.All(s => Placement(s).Owned.ToHashSet(StringComparer.Ordinal).SetEquals(expected.Where(e => e.Value == s).Select(static e => e.Key)));
    }

    /// <summary>Polls until <see cref="Settled"/>; fails with each silo's share when <paramref name="timeout"/> passes. Returns the time it took.</summary>
    public async Task<TimeSpan> WaitSettledAsync(int configured, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Settled(configured))
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"the cluster checks did not settle within {timeout.TotalSeconds:0} s: {Describe()}");
            }

            await Task.Delay(50);
        }

        return clock.Elapsed;
    }

    public string Describe()
    {
        var expected = ExpectedOwners();
        return string.Join("; ", ActiveSilos.Select(s => $"{s.Name}: owns {Placement(s).OwnedCount}, should own {expected.Count(e => e.Value == s)}, configured {Placement(s).Configuration.CheckIds.Count}"));
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>How each beat of each instance ran, read from a <see cref="RunBook"/>.</summary>
public sealed record BeatCount(int Beats, List<string> Missed, List<string> Doubled, long WorstLatenessMs)
{
    /// <summary>
    /// The beats of <paramref name="ids"/> that fall within [<paramref name="fromMs"/>, <paramref name="untilMs"/>]: each
    /// should have run once. A run belongs to its nearest beat (<see cref="RunLog.Slot"/>).
    /// </summary>
    public static BeatCount Of(IEnumerable<string> ids, List<CountedRun> runs, long fromMs, long untilMs)
    {
        var log = new RunLog(string.Empty, DispatchConfiguration.Interval);
        var idSet = ids.ToHashSet(StringComparer.Ordinal);
        var byBeat = runs.Where(r => idSet.Contains(r.CheckId)).GroupBy(r => (r.CheckId, Slot: log.Slot(r.CheckId, r.UnixMs))).ToDictionary(static g => g.Key, static g => g.ToList());
        int beats = 0;
        var missed = new List<string>();
        var doubled = new List<string>();
        long worst = 0;
        foreach (string id in idSet)
        {
            for (long slot = log.Slot(id, fromMs); log.SlotTime(id, slot) <= untilMs; slot++)
            {
                long time = log.SlotTime(id, slot);
                if (time < fromMs)
                {
                    continue;
                }

                beats++;
                if (!byBeat.TryGetValue((id, slot), out var ran))
                {
                    missed.Add($"{id} at {time}");
                    continue;
                }

                worst = Math.Max(worst, ran.Max(r => Math.Abs(r.UnixMs - time)));
                if (ran.Count > 1)
                {
                    doubled.Add($"{id} at {time}: {string.Join(", ", ran.Select(static r => r.UnixMs))}");
                }
            }
        }

        return new BeatCount(beats, missed, doubled, worst);
    }

    public override string ToString() => $"{Beats} beat(s): {Missed.Count} missed, {Doubled.Count} doubled, the latest run {WorstLatenessMs} ms off its beat";
}
