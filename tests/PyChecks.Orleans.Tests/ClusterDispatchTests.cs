using System.Diagnostics;
using NUnit.Framework;
using PyChecks.Orleans.Tests.Dispatch;

namespace PyChecks.Orleans.Tests;

/// <summary>
/// The dispatch of cluster checks on an in-process Orleans cluster (Orleans' <c>TestingHost</c>): 2 to 4 silos, each with
/// PyChecks' own scheduler and <c>AddPyChecksCluster</c>, running host-provided <see cref="CountingCheck"/>s (no Python
/// runs) every <see cref="DispatchConfiguration.Interval"/>. Ownership is read from each silo's placement, runs from the
/// checks themselves and each silo's status store.
/// </summary>
/// <remarks>
/// Bounds: a silo's membership change reaches the others at once in a test cluster (in-memory membership table), so
/// settling takes a sweep (milliseconds) plus Orleans' own start or stop of a silo; <see cref="SettleBound"/> is generous
/// for two loaded cores. A run starts on its beat within <see cref="BeatTolerance"/> (timer resolution and a busy machine).
/// </remarks>
[TestFixture]
[NonParallelizable]
public sealed class ClusterDispatchTests
{
    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A graceful stop hands over at once, not at the next periodic sweep (the default 30 s here): the stopping silo
    /// migrates its grains to the others before it leaves.
    /// </summary>
    private static readonly TimeSpan HandOverBound = TimeSpan.FromSeconds(5);

    private const long BeatTolerance = 400;

    private static readonly TimeSpan Interval = DispatchConfiguration.Interval;

    private readonly RunBook _book = new();
    private string _confD = null!;
    private CheckHost _host = null!;

    [OneTimeSetUp]
    public void StartHost()
    {
        _confD = Directory.CreateTempSubdirectory("pychecks-dispatch-").FullName;
        DispatchConfiguration.Write(_confD);
        _host = CheckHost.Start(new PyChecksOptions { ConfigDirectory = _confD }, loaders: [new CountingCheckLoader(_book, DispatchConfiguration.Names)]);
    }

    [OneTimeTearDown]
    public void StopHost()
    {
        _host.Dispose();
        Directory.Delete(_confD, recursive: true);
    }

    [SetUp]
    public void Reset()
    {
        DispatchConfiguration.Write(_confD);
        _book.Clear();
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ThreeSilos_EachClusterInstanceRunsOnTheOneSiloThatOwnsIt_OnItsBeat_AndNodeLocalOnesRunOnEverySilo()
    {
        await using var cluster = await DispatchCluster.StartAsync(_host, _confD, silos: 3);
        var settle = await cluster.WaitSettledAsync(DispatchConfiguration.ClusterInstances, SettleBound);
        long settledAt = Now();
        TestContext.Out.WriteLine($"settled {settle.TotalSeconds:0.00} s after the deploy: {cluster.Describe()}");
        await WaitUntilAsync(settledAt + (long)(2.5 * Interval.TotalMilliseconds));

        var silos = cluster.ActiveSilos;
        var loaded = _book.Loaded.Values.ToList();
        var meantCluster = loaded.Where(DispatchConfiguration.MeantAsCluster).Select(static c => c.CheckId).ToHashSet(StringComparer.Ordinal);
        var local = loaded.Where(c => !DispatchConfiguration.MeantAsCluster(c)).Select(static c => c.CheckId).ToHashSet(StringComparer.Ordinal);
        var owned = silos.ToDictionary(static s => s.Name, static s => DispatchCluster.Placement(s).Owned.ToHashSet(StringComparer.Ordinal));
        var beats = BeatCount.Of(meantCluster, _book.Since(settledAt), settledAt, Now() - BeatTolerance);
        TestContext.Out.WriteLine($"cluster instances after settling: {beats}");

        Assert.Multiple(() =>
        {
            Assert.That(meantCluster, Has.Count.EqualTo(DispatchConfiguration.ClusterInstances), "every cluster instance was loaded on some silo");
            Assert.That(local, Has.Count.EqualTo(DispatchConfiguration.LocalInstancesAll), "every node-local instance was loaded");
            foreach (var silo in silos)
            {
                var placement = DispatchCluster.Placement(silo);
                Assert.That(placement.Configuration.CheckIds, Is.EquivalentTo(meantCluster), $"{silo.Name}: cluster_check at the top of a file, in an instance, and CheckNames select the cluster checks, and nothing else");
                Assert.That(placement.Configuration.Hash, Is.EqualTo(DispatchCluster.Placement(silos[0]).Configuration.Hash), $"{silo.Name}: the same configuration hash as {silos[0].Name}");
                var scheduled = DispatchCluster.Scheduler(silo).Checks.Select(static c => c.Id).ToHashSet(StringComparer.Ordinal);
                Assert.That(scheduled.Where(meantCluster.Contains), Is.EquivalentTo(owned[silo.Name]), $"{silo.Name} schedules exactly the cluster instances it owns");
                Assert.That(local.Where(id => !scheduled.Contains(id)), Is.Empty, $"{silo.Name} schedules every node-local instance");
                var status = DispatchCluster.Status(silo);
                Assert.That(owned[silo.Name].Concat(local).Where(id => status.Find(id) is not { TotalRuns: > 0 }), Is.Empty, $"{silo.Name} ran each instance it owns and each node-local one");
                Assert.That(owned[silo.Name], Is.Not.Empty, $"{silo.Name} owns a share");
            }

            Assert.That(owned.Values.Sum(static o => o.Count), Is.EqualTo(DispatchConfiguration.ClusterInstances), "the silos' shares add up to the configured cluster instances");
            Assert.That(owned.Values.SelectMany(static o => o).ToHashSet(StringComparer.Ordinal), Is.EquivalentTo(meantCluster), "no instance is owned by two silos, none by none");
            Assert.That(beats.Missed, Is.Empty, "every beat of every cluster instance ran");
            Assert.That(beats.Doubled, Is.Empty, "no beat ran twice (on two silos or one)");
            Assert.That(beats.WorstLatenessMs, Is.LessThanOrEqualTo(BeatTolerance), "each run was on its beat");
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task AddingASilo_MovesToItExactlyItsShare_AndNoInstanceIsOwnedTwice()
    {
        await using var cluster = await DispatchCluster.StartAsync(_host, _confD, silos: 2);
        await cluster.WaitSettledAsync(DispatchConfiguration.ClusterInstances, SettleBound);
        var before = OwnerNames(cluster);

        var clock = Stopwatch.StartNew();
        long joinedAt = Now();
        var joined = await cluster.Cluster.StartAdditionalSiloAsync();
        var settle = await cluster.WaitSettledAsync(DispatchConfiguration.ClusterInstances, SettleBound);
        long settledAt = Now();
        TestContext.Out.WriteLine($"settled {clock.Elapsed.TotalSeconds:0.00} s after the join began ({settle.TotalSeconds:0.00} s after the silo started): {cluster.Describe()}");
        await WaitUntilAsync(settledAt + (long)(2.5 * Interval.TotalMilliseconds));

        var after = OwnerNames(cluster);
        var moved = after.Where(a => before[a.Key] != a.Value).ToList();
        var ids = after.Keys.ToList();
        var during = BeatCount.Of(ids, _book.Since(joinedAt - 1000), joinedAt, settledAt);
        var settled = BeatCount.Of(ids, _book.Since(settledAt), settledAt, Now() - BeatTolerance);
        TestContext.Out.WriteLine($"{moved.Count} instance(s) moved; during the join: {during}; after it: {settled}");

        Assert.Multiple(() =>
        {
            Assert.That(moved, Is.Not.Empty, "the joining silo took a share");
            Assert.That(moved.Select(static m => m.Value), Has.All.EqualTo(joined.Name), "only instances that go to the joining silo moved");
            Assert.That(DispatchCluster.Placement(joined).Owned, Is.EquivalentTo(moved.Select(static m => m.Key)), "the joining silo owns what moved to it");
            Assert.That(during.Doubled, Is.Empty, "no beat ran twice during the move");
            Assert.That(during.Missed, Has.Count.LessThanOrEqualTo(moved.Count), "a moved instance missed at most the beat of its move");
            Assert.That(settled.Missed, Is.Empty, "after the move every beat ran");
            Assert.That(settled.Doubled, Is.Empty, "after the move no beat ran twice");
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task StoppingASiloGracefully_HandsAllItsInstancesToTheOthers()
    {
        await using var cluster = await DispatchCluster.StartAsync(_host, _confD, silos: 3);
        await cluster.WaitSettledAsync(DispatchConfiguration.ClusterInstances, SettleBound);
        await Task.Delay(Interval);
        var stopping = cluster.ActiveSilos[^1];
        var stoppingPlacement = DispatchCluster.Placement(stopping);
        var handed = stoppingPlacement.Owned.ToHashSet(StringComparer.Ordinal);

        var clock = Stopwatch.StartNew();
        long stoppedAt = Now();
        await cluster.Cluster.StopSiloAsync(stopping);
        var stopTook = clock.Elapsed;
        await cluster.WaitSettledAsync(DispatchConfiguration.ClusterInstances, HandOverBound);
        var settle = clock.Elapsed;
        long settledAt = Now();
        await WaitUntilAsync(settledAt + (long)(2.5 * Interval.TotalMilliseconds));

        var ids = OwnerNames(cluster).Keys.ToList();
        // The handed-over instances' beats from one interval before the stop to the end: the hand-over must not show.
        var handOver = BeatCount.Of(handed, _book.Since(stoppedAt - (2 * (long)Interval.TotalMilliseconds)), stoppedAt - (long)Interval.TotalMilliseconds, Now() - BeatTolerance);
        var others = BeatCount.Of(ids.Where(id => !handed.Contains(id)), _book.Since(stoppedAt - 1000), stoppedAt, settledAt);
        var settled = BeatCount.Of(ids, _book.Since(settledAt), settledAt, Now() - BeatTolerance);
        TestContext.Out.WriteLine($"{handed.Count} instance(s) handed over; the stop took {stopTook.TotalSeconds:0.00} s, settled {settle.TotalSeconds:0.00} s after it began; "
            + $"handed over: {handOver}; the others' during the stop: {others}; all after it: {settled}");

        Assert.Multiple(() =>
        {
            Assert.That(handed, Is.Not.Empty, "the stopped silo owned a share");
            Assert.That(stoppingPlacement.Owned, Is.Empty, "the stopped silo released everything");
            Assert.That(cluster.ActiveSilos.SelectMany(static s => DispatchCluster.Placement(s).Owned).Where(handed.Contains).Count(), Is.EqualTo(handed.Count), "every instance of the stopped silo is owned by another");
            Assert.That(others.Missed.Concat(others.Doubled), Is.Empty, "the other silos' instances ran every beat once during the stop");
            Assert.That(handOver.Doubled, Is.Empty, "no handed-over beat ran twice");
            Assert.That(handOver.Missed, Has.Count.LessThanOrEqualTo(Math.Max(3, handed.Count / 10)), "at most one handed-over instance in 10 missed the beat of its move");
            Assert.That(settled.Missed.Concat(settled.Doubled), Is.Empty, "after the hand-over, every beat ran once");
        });
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task AReloadThatRemovesClusterInstances_StopsTheirGrainsEverywhere()
    {
        await using var cluster = await DispatchCluster.StartAsync(_host, _confD, silos: 3);
        await cluster.WaitSettledAsync(DispatchConfiguration.ClusterInstances, SettleBound);
        var removed = _book.Loaded.Values.Where(static c => c.CheckName == DispatchConfiguration.FileCluster && Convert.ToInt64(c.Instance["n"], System.Globalization.CultureInfo.InvariantCulture) >= 100)
            .Select(static c => c.CheckId).ToHashSet(StringComparer.Ordinal);
        var holders = cluster.ActiveSilos.Where(s => DispatchCluster.Placement(s).Owned.Any(removed.Contains)).Select(static s => s.Name).ToList();

        DispatchConfiguration.Write(_confD, fileClusterInstances: 100);
        foreach (var silo in cluster.ActiveSilos)
        {
            var result = await DispatchCluster.Scheduler(silo).ReloadAsync();
            Assert.That(result.Errors, Is.Empty, $"{silo.Name} reloaded");
        }

        int remaining = DispatchConfiguration.ClusterInstances - removed.Count;
        var settle = await cluster.WaitSettledAsync(remaining, SettleBound);
        long settledAt = Now();
        TestContext.Out.WriteLine($"{removed.Count} instance(s) removed, held by {string.Join(", ", holders)}; settled {settle.TotalSeconds:0.00} s after the reloads: {cluster.Describe()}");
        await WaitUntilAsync(settledAt + (long)(1.5 * Interval.TotalMilliseconds));

        var runs = _book.Since(settledAt + 200);
        Assert.Multiple(() =>
        {
            Assert.That(removed, Has.Count.EqualTo(DispatchConfiguration.FileClusterInstances - 100));
            Assert.That(holders, Has.Count.GreaterThan(1), "the removed instances were spread over several silos");
            foreach (var silo in cluster.ActiveSilos)
            {
                Assert.That(DispatchCluster.Placement(silo).Owned.Where(removed.Contains), Is.Empty, $"{silo.Name} holds no grain of a removed instance");
                Assert.That(DispatchCluster.Scheduler(silo).Checks.Where(c => removed.Contains(c.Id)), Is.Empty, $"{silo.Name} no longer schedules a removed instance");
            }

            Assert.That(runs.Where(r => removed.Contains(r.CheckId)), Is.Empty, "no removed instance ran after the reloads settled");
            Assert.That(runs.Select(static r => r.CheckId).Where(id => !removed.Contains(id)).Distinct().Count(), Is.EqualTo(remaining + DispatchConfiguration.LocalInstancesAll), "every remaining instance still runs");
        });
    }

    private static Dictionary<string, string> OwnerNames(DispatchCluster cluster) =>
        cluster.ActiveSilos.SelectMany(static s => DispatchCluster.Placement(s).Owned.Select(id => (Id: id, s.Name))).ToDictionary(static o => o.Id, static o => o.Name, StringComparer.Ordinal);

    private static async Task WaitUntilAsync(long unixMs)
    {
        long delay = unixMs - Now();
        if (delay > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(delay));
        }
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
