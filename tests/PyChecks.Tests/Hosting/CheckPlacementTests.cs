using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PyChecks.Tests.ControlApi;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Hosting;

/// <summary>
/// A host's own <see cref="CheckPlacement"/> (what <c>PyChecks.Orleans</c> registers for a cluster): which configured
/// instances run here, changes of that between reloads, until when an instance that moves runs here, the tags it adds
/// to an instance's samples, and the cluster state it gives <c>GET /cluster</c>.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class CheckPlacementTests
{
    private const string Site = """
        from datadog_checks.base import AgentCheck

        class SiteCheck(AgentCheck):
            def check(self, instance):
                self.gauge('site.up', 1, tags=['from:check'])
        """;

    private static CheckFolder Folder() => new CheckFolder()
        .Check("webprobe", Site)
        .Config("webprobe", "instances: [{name: a, min_collection_interval: 10, tags: ['env:test']}, {name: b, min_collection_interval: 10}]");

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void APlacement_DecidesWhichInstancesRunHere_AndTagsTheirSamples(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var placement = new OnePlacement { Here = "webprobe:a" };
        using var hosted = HostedChecks.Start(Folder(), services: s => s.AddSingleton<CheckPlacement>(placement));
        Eventually.That(() => hosted.CommitsOf("webprobe") == 1, "instance a's first run");

        // Only a runs here; the placement was told both, and a's samples carry its tag after the instance's own.
        Assert.That(hosted.Scheduler.Checks.Select(static c => c.Id), Has.Exactly(1).StartsWith("webprobe:a:"));
        Assert.That(placement.Configured, Has.Count.EqualTo(2));
        var metric = hosted.Sender.Metrics.Single();
        Assert.That(metric.Tags, Is.EqualTo(new[] { "from:check", "env:test", "placed:here" }));
        Assert.That(hosted.StatusOf("webprobe").CheckId, Does.StartWith("webprobe:a:"), "the id is the configuration's: the tag does not change it");

        // The placement's answer changes: b runs here now, a no longer.
        string a = placement.Configured.Single(static id => id.StartsWith("webprobe:a:", StringComparison.Ordinal));
        string b = placement.Configured.Single(static id => id.StartsWith("webprobe:b:", StringComparison.Ordinal));
        placement.Here = "webprobe:b";
        placement.Changed([a, b, "webprobe:unknown:0"]).GetAwaiter().GetResult();
        Assert.That(hosted.Scheduler.Checks.Select(static c => c.Id), Is.EqualTo(new[] { b }), "applied once the task completes; an unknown id is ignored");
        Eventually.That(() => hosted.Sender.Metrics.Any(m => m.CheckId == b), "instance b's first run here");
        Assert.That(hosted.Sender.Metrics.Single(m => m.CheckId == b).Tags, Is.EqualTo(new[] { "from:check", "placed:here" }));

        // A reload asks again about every instance.
        placement.Here = "webprobe:";
        var reload = hosted.Scheduler.ReloadAsync().GetAwaiter().GetResult();
        Assert.That(reload.Added, Is.EqualTo(new[] { a }));
        Assert.That(hosted.Scheduler.Checks.Select(static c => c.Id).Order(StringComparer.Ordinal), Is.EqualTo(new[] { a, b }));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void AnInstanceThatRunsHereUntilAMoment_StartsNoRunDueFromThen_HoweverLateItIsUnscheduled(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var placement = new OnePlacement { Here = "webprobe:a" };
        var hosted = HostedChecks.Start(Folder(), services: s => s.AddSingleton<CheckPlacement>(placement));
        try
        {
            Eventually.That(() => hosted.CommitsOf("webprobe") == 1, "instance a's first run, at 0 s");
            string a = hosted.Scheduler.Checks.Single().Id;

            // It moves: it runs here until 25 s (runs due at 10 and 20 s), and the placement never unschedules it.
            placement.Until = hosted.Time!.Start + TimeSpan.FromSeconds(25);
            placement.Changed([a]).GetAwaiter().GetResult();
            for (int due = 10; due <= 20; due += 10)
            {
                hosted.WaitUntilIdle("webprobe");
                hosted.Advance(TimeSpan.FromSeconds(10));
                int expected = (due / 10) + 1;
                Eventually.That(() => hosted.CommitsOf("webprobe") == expected, $"the run due at {due} s, before the moment");
            }

            hosted.WaitUntilIdle("webprobe");
            hosted.Advance(TimeSpan.FromSeconds(10));
            hosted.WaitForSchedulerAt(TimeSpan.FromSeconds(30));
            Assert.That(hosted.StatusOf("webprobe").LastRunStartedAt, Is.EqualTo(hosted.Time.Start + TimeSpan.FromSeconds(20)), "no run due at 30 s started: the instance runs elsewhere from 25 s");
            hosted.WaitUntilIdle("webprobe");
            Assert.That(hosted.CommitsOf("webprobe"), Is.EqualTo(3), "three runs here: at 0, 10 and 20 s");
            Assert.That(hosted.StatusOf("webprobe").TotalSkipped, Is.Zero, "a run due elsewhere is not a skipped run");
            Assert.That(hosted.Scheduler.Checks.Select(static c => c.Id), Is.EqualTo(new[] { a }), "still scheduled: the placement has not said otherwise");

            // It stays after all (its move failed, say): its runs start again from the next due time.
            placement.Until = null;
            placement.Changed([a]).GetAwaiter().GetResult();
            hosted.Advance(TimeSpan.FromSeconds(10));
            Eventually.That(() => hosted.CommitsOf("webprobe") == 4, "the run due at 40 s");
            Assert.That(placement.Stopping, Is.Zero, "the scheduler has not stopped yet");
        }
        finally
        {
            hosted.Dispose();
        }

        Assert.That(placement.Stopping, Is.EqualTo(1), "the placement was told once that the scheduler stops");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void GetCluster_AnswersThePlacementsClusterState_Or404WithoutOne(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = LocalApiTests.Folder();
        var placement = new OnePlacement { Here = "probe", Cluster = Status() };
        var (hosted, client, _) = LocalApiTests.StartOnSocket(folder, services: s => s.AddSingleton<CheckPlacement>(placement));
        using (hosted)
        using (client)
        {
            var cluster = client.Get("cluster").Expect(HttpStatusCode.OK).Json;
            Assert.That(cluster.GetProperty("localMember").GetString(), Is.EqualTo("web-0"));
            Assert.That(cluster.GetProperty("configurationMatches").GetBoolean(), Is.False);
            Assert.That(cluster.GetProperty("moves").GetInt64(), Is.EqualTo(7));
            Assert.That(cluster.GetProperty("overlaps").GetInt64(), Is.EqualTo(1));
            var members = cluster.GetProperty("members").EnumerateArray().ToList();
            Assert.That(members.Select(static m => m.GetProperty("name").GetString()), Is.EqualTo(new[] { "web-0", "web-1" }));
            Assert.That(members[0].GetProperty("local").GetBoolean(), Is.True);
            Assert.That(members[0].GetProperty("instances").GetInt32(), Is.EqualTo(12));
            Assert.That(members[0].GetProperty("lastSweep").GetString(), Is.EqualTo("2026-12-06T20:00:00+00:00"));
            Assert.That(members[1].GetProperty("error").GetString(), Is.EqualTo("no answer within 5 s"));
            Assert.That(members[1].TryGetProperty("instances", out _), Is.False, "a member without figures has none in the answer");

            placement.Cluster = null;
            var refused = client.Get("cluster").Expect(HttpStatusCode.NotFound).Json;
            Assert.That(refused.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("not_clustered"));
        }
    });

    private static ClusterStatus Status() => new()
    {
        LocalMember = "web-0",
        ClusterInstances = 20,
        ConfigurationHash = "0123456789abcdef",
        ConfigurationMatches = false,
        Moves = 7,
        Overlaps = 1,
        Members =
        [
            new ClusterMemberStatus
            {
                Name = "web-0", Address = "10.0.0.5:11111@1", State = "active", IsLocal = true, Instances = 12, ConfigurationHash = "0123456789abcdef",
                Arrived = 19, MovedAway = 7, Overlaps = 1, LastSweep = new DateTimeOffset(2026, 12, 6, 20, 0, 0, TimeSpan.Zero),
            },
            new ClusterMemberStatus { Name = "web-1", Address = "10.0.0.6:11111@1", State = "active", Error = "no answer within 5 s" },
        ],
    };

    /// <summary>Runs the instances whose check id starts with <see cref="Here"/>, tags them, and reports a cluster when given one.</summary>
    private sealed class OnePlacement : CheckPlacement
    {
        public volatile string Here = string.Empty;

        public ClusterStatus? Cluster { get; set; }

        public DateTimeOffset? Until { get; set; }

        public int Stopping;

        public List<string> Configured { get; } = [];

        public override bool RunsHere(CheckInstanceConfig instance) => instance.CheckId.StartsWith(Here, StringComparison.Ordinal);

        public override DateTimeOffset? RunsUntil(CheckInstanceConfig instance) => Until;

        public override void OnStopping() => Interlocked.Increment(ref Stopping);

        public override void OnConfigured(IReadOnlyDictionary<string, CheckInstanceConfig> instances)
        {
            lock (Configured)
            {
                Configured.Clear();
                Configured.AddRange(instances.Keys);
            }
        }

        public override IReadOnlyList<string> TagsFor(CheckInstanceConfig instance) => ["placed:here"];

        public override Task<ClusterStatus?> GetClusterStatusAsync(CancellationToken cancellationToken = default) => Task.FromResult(Cluster);

        public Task Changed(IReadOnlyCollection<string> ids) => NotifyChangedAsync(ids);
    }
}
