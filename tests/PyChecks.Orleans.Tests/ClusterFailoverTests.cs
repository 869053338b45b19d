using System.Diagnostics;
using NUnit.Framework;
using PyChecks.Orleans.Tests.Hosts;
using PyChecks.Orleans.Tests.Infrastructure;

namespace PyChecks.Orleans.Tests;

/// <summary>
/// Three host processes on Redis clustering share 3,000 cluster check instances at a 5 s interval; one is killed with
/// SIGKILL, then a fourth joins. Every run is read back from the file that each host's recording sender writes.
/// </summary>
/// <remarks>
/// The failover bound, from the hosts' options: a killed silo is declared dead after <c>MissedProbes × ProbeTimeout</c>,
/// the survivors learn it within <c>TableRefresh</c>, sweep at once and activate its instances, each of which runs at its
/// next beat (within one <c>Interval</c>); <see cref="Slack"/> covers gossip, the grain directory's recovery and two
/// loaded cores.
/// </remarks>
[TestFixture]
[NonParallelizable]
public sealed class ClusterFailoverTests
{
    private const int Instances = 3000;

    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(6);

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after SIGTERM every handed-over instance has run elsewhere: its cut (the hand-over's lead, 2 s) and its
    /// first beat after it (an interval), or, for one whose activation the grain directory's hand-over on the silo's
    /// departure disturbed, the survivors' next sweep (5 s), plus slack for two loaded cores (measured: 10.3 s before the
    /// cut, 7.3–8.8 s with it).
    /// </summary>
    private static readonly TimeSpan HandOverBound = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Beats of the handed-over instances that may be missed across a graceful stop whose migrations took longer than
    /// <see cref="ClusterCheckOptions.HandOffLead"/>: each may miss the beats between its cut and its arrival (without a
    /// cut, each missed the one beat that fell during its migration: 9 to 282 of about 1,000 instances per run).
    /// </summary>
    private const int HandOverMissedTolerance = Instances / 15;

    /// <summary>
    /// Beats of the handed-over instances that may be missed when every migration completed well within
    /// <see cref="ClusterCheckOptions.HandOffLead"/> (<see cref="MigratedWithinLead"/> of its 2 s): each runs on the
    /// stopping host until its cut and on the other from its first beat after it.
    /// </summary>
    private const int HandOverMissedWithinLead = Instances / 300;

    /// <summary>The migrations of a graceful stop that took less than this (by the stopping host's log) must keep every beat.</summary>
    private static readonly TimeSpan MigratedWithinLead = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// Beats of the surviving hosts' own instances that may be missed across a graceful stop. Orleans' directory, handing
    /// over the leaving silo's partition, ends some of their activations; they keep running until a sweep activates them
    /// again (measured: none; 486–862 before that handling).
    /// </summary>
    private const int SurvivorsMissedTolerance = Instances / 300;

    /// <summary>Beats that may run twice across a graceful stop (measured: none).</summary>
    private const int HandOverDoubledTolerance = Instances / 100;

    /// <summary>How far a host's share may be from an even share once the cluster has settled (rendezvous hashing: a random draw).</summary>
    private const double BalanceTolerance = 0.10;

    [Test]
    [CancelAfter(240_000)]
    public async Task Failover_WhenAHostIsKilled_ItsInstancesRunElsewhereWithinTheBound_AndAJoiningHostTakesItsShare()
    {
        using var run = ClusterRun.Start();
        string folder = run.Folder;
        var hosts = run.Hosts;
        HostSettings Settings(string name) => run.Settings(name, Instances, Interval);

        var log = new RunLog(folder, Interval);
        var clock = Stopwatch.StartNew();
        hosts.AddRange(new[] { "a", "b", "c" }.Select(n => HostProcess.Start(Settings(n))));
        await Task.WhenAll(hosts.Select(h => h.WaitStartedAsync(TimeSpan.FromSeconds(90))));
        var settings = hosts[0].Settings;
        var bound = (settings.MissedProbes * settings.ProbeTimeout) + settings.TableRefresh + Interval + Slack;

        // Settled: in the last interval every instance ran, each on one host.
        var settled = await WaitForAsync(log, owners => owners.Count == Instances && owners.Values.Distinct().Count() == 3, TimeSpan.FromSeconds(60), hosts);
        TestContext.Out.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: settled on 3 hosts: {Shares(settled)}");
        await Task.Delay(2 * Interval);

        var killed = hosts[2];
        long killedAt = Now();
        killed.Kill();
        var recovered = await WaitForAsync(log, owners => owners.Count == Instances && !owners.ContainsValue(killed.Name), bound + Interval + TimeSpan.FromSeconds(10), hosts, since: killedAt);
        TestContext.Out.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: recovered on 2 hosts: {Shares(recovered)}");

        long joinedAt = Now();
        var joining = HostProcess.Start(Settings("d"));
        hosts.Add(joining);
        await joining.WaitStartedAsync(TimeSpan.FromSeconds(90));
        var rebalanced = await WaitForAsync(log, owners => owners.Count == Instances && Balanced(owners, 3), TimeSpan.FromSeconds(60), hosts, since: joinedAt);
        TestContext.Out.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: rebalanced on 3 hosts: {Shares(rebalanced)}");
        await Task.Delay(2 * Interval);
        long endedAt = Now();
        foreach (var host in hosts)
        {
            host.Kill();
        }

        var runs = log.Read();
        Analyse(log, runs, killed.Name, killedAt, joinedAt, endedAt, bound, rebalanced);
        TestContext.Out.WriteLine($"the test took {clock.Elapsed.TotalSeconds:0} s");

        run.Succeeded();
    }

    /// <summary>
    /// A graceful stop (SIGTERM: the Generic Host's stop) hands the host's instances over before its silo leaves: each
    /// migrates to the host that rendezvous hashing gives it among the others, runs on the stopping host until its cut,
    /// and there from its first beat after it.
    /// </summary>
    /// <remarks>
    /// Bounds: the stopping host migrates its grains before it exits (in hundreds of milliseconds), so an instance runs
    /// elsewhere from its first beat after its cut; unlike a kill, nothing waits for a failure detector
    /// (<see cref="HandOverBound"/>). No beat may run twice; none may be missed when the migrations completed within the
    /// lead (<see cref="HandOverMissedWithinLead"/>), else see <see cref="HandOverMissedTolerance"/>.
    /// </remarks>
    [Test]
    [CancelAfter(240_000)]
    public async Task GracefulStop_WhenAHostIsStoppedWithSigterm_ItsInstancesRunElsewhereFromTheirNextBeats_NoneTwice()
    {
        using var run = ClusterRun.Start();
        string folder = run.Folder;
        var hosts = run.Hosts;
        var log = new RunLog(folder, Interval);
        var clock = Stopwatch.StartNew();
        hosts.AddRange(new[] { "a", "b", "c" }.Select(n => HostProcess.Start(run.Settings(n, Instances, Interval))));
        await Task.WhenAll(hosts.Select(h => h.WaitStartedAsync(TimeSpan.FromSeconds(90))));
        var settled = await WaitForAsync(log, owners => owners.Count == Instances && owners.Values.Distinct().Count() == 3, TimeSpan.FromSeconds(60), hosts);
        TestContext.Out.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: settled on 3 hosts: {Shares(settled)}");
        await Task.Delay(2 * Interval);

        var stopping = hosts[2];
        long stoppedAt = Now();
        // The bound on the exit itself is loose: the suite runs this beside the core tests on the same two cores, where one
        // stop of a host with ~1,000 instances took over 30 s once (the hand-over is measured below, from the log).
        int exitCode = await stopping.TerminateAsync(TimeSpan.FromSeconds(90));
        long exitedAt = Now();
        string handOverLog = string.Join(" ", File.ReadLines(stopping.Settings.LogFile!).Where(static l => l.Contains("[1309]", StringComparison.Ordinal)).Select(static l => l.Trim()));
        TestContext.Out.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: host {stopping.Name} exited ({exitCode}) {(exitedAt - stoppedAt) / 1000.0:0.0} s after SIGTERM; {handOverLog}");
        var migratedIn = System.Text.RegularExpressions.Regex.Match(handOverLog, @"migrated in (\d+) ms") is { Success: true } match
            ? TimeSpan.FromMilliseconds(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            : (TimeSpan?)null;
        var handedOver = await WaitForAsync(log, owners => owners.Count == Instances && !owners.ContainsValue(stopping.Name), HandOverBound + Interval, hosts, since: stoppedAt);
        TestContext.Out.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: handed over to 2 hosts: {Shares(handedOver)}");
        await Task.Delay(2 * Interval);
        long endedAt = Now();
        foreach (var host in hosts)
        {
            host.Kill();
        }

        var runs = log.Read();
        long intervalMs = (long)Interval.TotalMilliseconds;
        var handed = RunLog.OwnersBetween(runs, stoppedAt - intervalMs, stoppedAt).Where(o => o.Value == stopping.Name).Select(static o => o.Key).ToHashSet(StringComparer.Ordinal);
        long lastOnStopping = runs.Where(r => r.Host == stopping.Name).Max(static r => r.UnixMs);
        var firstElsewhere = runs.Where(r => r.UnixMs > stoppedAt && r.Host != stopping.Name && handed.Contains(r.CheckId))
            .GroupBy(static r => r.CheckId).ToDictionary(static g => g.Key, static g => g.Min(static r => r.UnixMs), StringComparer.Ordinal);
        long worst = firstElsewhere.Count == 0 ? long.MaxValue : firstElsewhere.Values.Max() - stoppedAt;

        // Every beat of every instance, from two intervals before the stop to the last full interval.
        var byBeat = runs.GroupBy(r => (r.CheckId, Slot: log.Slot(r.CheckId, r.UnixMs))).ToDictionary(static g => g.Key, static g => g.Count());
        var missed = new List<string>();
        var doubled = new List<string>();
        foreach (string id in runs.Select(static r => r.CheckId).Distinct())
        {
            for (long slot = log.Slot(id, stoppedAt - (2 * intervalMs)); log.SlotTime(id, slot) < endedAt - intervalMs; slot++)
            {
                int count = byBeat.GetValueOrDefault((id, slot));
                string beat = $"{id} beat {slot} ({(log.SlotTime(id, slot) - stoppedAt) / 1000.0:0.00} s after SIGTERM{(handed.Contains(id) ? ", handed over" : string.Empty)})";
                (count == 0 ? missed : count > 1 ? doubled : null)?.Add(beat);
            }
        }

        var missedHanded = missed.Where(static m => m.EndsWith("handed over)", StringComparison.Ordinal)).ToList();
        TestContext.Out.WriteLine($"graceful stop: {handed.Count} instance(s) handed over, {firstElsewhere.Count} ran elsewhere, the last {worst / 1000.0:0.0} s after SIGTERM; "
            + $"the stopping host's last run {(lastOnStopping - stoppedAt) / 1000.0:0.00} s after it; {missed.Count} beat(s) missed ({missedHanded.Count} of handed-over instances), {doubled.Count} doubled; the test took {clock.Elapsed.TotalSeconds:0} s");
        foreach (string line in missed.Concat(doubled).Take(20))
        {
            TestContext.Out.WriteLine("  " + line);
        }

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, "the stopped host exited cleanly");
            Assert.That(handed, Has.Count.GreaterThan(Instances / 6), "the stopped host had a share");
            Assert.That(firstElsewhere.Keys, Is.EquivalentTo(handed), "every instance of the stopped host ran on another");
            Assert.That(TimeSpan.FromMilliseconds(worst), Is.LessThanOrEqualTo(HandOverBound), "the stopped host's instances ran elsewhere within the bound");
            Assert.That(lastOnStopping, Is.LessThanOrEqualTo(exitedAt), "the stopped host ran nothing after it exited");
            Assert.That(doubled, Has.Count.LessThanOrEqualTo(HandOverDoubledTolerance), "beats run twice across the graceful stop: at most 1 % of the instances");
            Assert.That(migratedIn, Is.Not.Null, "the stopping host logged its hand-over (event 1309)");
            Assert.That(missedHanded, Has.Count.LessThanOrEqualTo(migratedIn < MigratedWithinLead ? HandOverMissedWithinLead : HandOverMissedTolerance), $"beats of handed-over instances missed across the graceful stop, its migrations taking {migratedIn?.TotalMilliseconds:0} ms: within the stated tolerance");
            Assert.That(missed.Count - missedHanded.Count, Is.LessThanOrEqualTo(SurvivorsMissedTolerance), "beats of the survivors' own instances missed across the graceful stop");
        });

        run.Succeeded();
    }

    private static void Analyse(RunLog log, List<Run> runs, string killed, long killedAt, long joinedAt, long endedAt, TimeSpan bound, Dictionary<string, string> rebalanced)
    {
        var ids = runs.Select(static r => r.CheckId).Distinct().ToList();
        long intervalMs = (long)log.Interval.TotalMilliseconds;

        // Failover: each instance that the killed host ran runs elsewhere within the bound.
        var killedOwned = RunLog.OwnersBetween(runs, killedAt - intervalMs, killedAt).Where(o => o.Value == killed).Select(static o => o.Key).ToHashSet(StringComparer.Ordinal);
        var firstElsewhere = runs.Where(r => r.UnixMs > killedAt && r.Host != killed && killedOwned.Contains(r.CheckId))
            .GroupBy(static r => r.CheckId)
            .ToDictionary(static g => g.Key, static g => g.Min(static r => r.UnixMs), StringComparer.Ordinal);
        long worst = firstElsewhere.Count == 0 ? long.MaxValue : firstElsewhere.Values.Max() - killedAt;
        TestContext.Out.WriteLine($"failover: {killedOwned.Count} instance(s) of the killed host, {firstElsewhere.Count} running elsewhere, the last {worst / 1000.0:0.0} s after the kill (bound {bound.TotalSeconds:0.0} s)");

        // Beats: from the first full beat after the start to the last before the end, each beat of each instance runs once,
        // except the beats of the killed host's instances within the bound after the kill.
        long from = runs.Where(r => r.UnixMs >= killedAt - (3 * intervalMs)).Min(static r => r.UnixMs);
        var byBeat = runs.GroupBy(r => (r.CheckId, Slot: log.Slot(r.CheckId, r.UnixMs))).ToDictionary(static g => g.Key, static g => g.ToList());
        long windowEnd = killedAt + (long)bound.TotalMilliseconds;
        bool InFailover(long time) => time >= killedAt && time <= windowEnd;

        // While the grain directory recovers the dead silo's share, a survivor's grain may be activated twice for a moment
        // (Orleans resolves it) or move and come back: then a beat runs twice, or is missed. Every instance runs again within
        // the bound (every beat after the window is checked); outside the window, no beat is missed or doubled.
        // Beats before that are the start, while the hosts join one after the other: a membership change each, as in the window.
        var overlaps = byBeat.Where(b => b.Value.Count > 1 && log.SlotTime(b.Key.CheckId, b.Key.Slot) > from).ToList();
        var overlapsOutside = overlaps.Where(b => !InFailover(log.SlotTime(b.Key.CheckId, b.Key.Slot)))
            .Select(static b => $"{b.Key.CheckId} beat {b.Key.Slot}: {string.Join(", ", b.Value.Select(static r => $"{r.Host}@{r.UnixMs}"))}").ToList();
        var lost = new List<string>();
        var lostInFailover = new Dictionary<string, int>(StringComparer.Ordinal);
        int lostInRebalance = 0;
        var moved = rebalanced.Where(static o => o.Value == "d").Select(static o => o.Key).ToHashSet(StringComparer.Ordinal);
        foreach (string id in ids)
        {
            for (long slot = log.Slot(id, from) + 1; log.SlotTime(id, slot) < endedAt - intervalMs; slot++)
            {
                long time = log.SlotTime(id, slot);
                if (byBeat.ContainsKey((id, slot)) || (killedOwned.Contains(id) && InFailover(time)))
                {
                    continue;
                }

                if (InFailover(time))
                {
                    lostInFailover[id] = lostInFailover.GetValueOrDefault(id) + 1;
                    continue;
                }

                if (moved.Contains(id) && time >= joinedAt)
                {
                    lostInRebalance++;
                    continue;
                }

                string before = byBeat.TryGetValue((id, slot - 1), out var previous) ? previous[0].Host : "-";
                string after = byBeat.TryGetValue((id, slot + 1), out var next) ? next[0].Host : "-";
                lost.Add($"{id} beat {slot}, {(time - killedAt) / 1000.0:0.0} s after the kill, {(time - joinedAt) / 1000.0:0.0} s after the join, ran on {before} before and on {after} after");
            }
        }

        TestContext.Out.WriteLine($"{runs.Count} runs of {ids.Count} instances; {overlaps.Count} beat(s) run twice ({overlapsOutside.Count} outside the failover window), "
            + $"{lostInFailover.Count} surviving instance(s) missed a beat during the failover window, {lost.Count} beat(s) lost outside it, "
            + $"{lostInRebalance} missed by the {moved.Count} instance(s) that moved to the joining host");
        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.Count.EqualTo(Instances), "every configured instance ran");
            Assert.That(firstElsewhere.Keys, Is.EquivalentTo(killedOwned), "every instance of the killed host ran on another");
            Assert.That(TimeSpan.FromMilliseconds(worst), Is.LessThanOrEqualTo(bound), "the killed host's instances ran elsewhere within the bound");
            Assert.That(overlapsOutside, Is.Empty, "no beat ran on two hosts (or twice) outside the failover window");
            Assert.That(overlaps, Has.Count.LessThanOrEqualTo(Instances / 50), "beats run twice during the failover window: at most 2 % of the instances");
            Assert.That(lost, Is.Empty, "no beat was lost outside the failover window");
            Assert.That(lostInRebalance, Is.LessThanOrEqualTo(moved.Count), "an instance that moved to the joining host missed at most one beat");
        });
    }

    /// <summary>Polls the runs until the owners of the last full interval satisfy <paramref name="condition"/>.</summary>
    private static async Task<Dictionary<string, string>> WaitForAsync(RunLog log, Func<Dictionary<string, string>, bool> condition, TimeSpan timeout, List<HostProcess> hosts, long since = 0)
    {
        long intervalMs = (long)log.Interval.TotalMilliseconds;
        var deadline = Stopwatch.StartNew();
        var owners = new Dictionary<string, string>();
        while (deadline.Elapsed < timeout)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            long now = Now();
            if (now - intervalMs < since)
            {
                continue;
            }

            owners = RunLog.OwnersBetween(log.Read(), now - intervalMs, now);
            if (condition(owners))
            {
                return owners;
            }
        }

        Assert.Fail($"not reached within {timeout.TotalSeconds:0} s; last interval: {owners.Count} instance(s) ran, {Shares(owners)}\n"
            + string.Join("\n", hosts.Select(static h => $"--- host {h.Name}:\n{Tail(h.Output)}")));
        return owners;
    }

    private static bool Balanced(Dictionary<string, string> owners, int hosts)
    {
        var shares = owners.Values.GroupBy(static h => h).Select(static g => g.Count()).ToList();
        double even = (double)Instances / hosts;
        return shares.Count == hosts && shares.All(s => Math.Abs(s - even) <= even * BalanceTolerance);
    }

    private static string Shares(Dictionary<string, string> owners) =>
        string.Join(", ", owners.Values.GroupBy(static h => h).OrderBy(static g => g.Key, StringComparer.Ordinal).Select(static g => $"{g.Key}: {g.Count()}"));

    private static string Tail(string output) => output.Length <= 4000 ? output : output[^4000..];

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
