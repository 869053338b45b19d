using System.Diagnostics;
using System.Text.Json;
using NUnit.Framework;
using PyChecks.Orleans.Tests.Hosts;
using PyChecks.Orleans.Tests.Infrastructure;
using PyChecks.Tool.CommandLine;
using PyChecks.Tool.Terminal;

namespace PyChecks.Orleans.Tests;

/// <summary>
/// What a cluster shows, on host processes on Redis clustering with their control API on a Unix socket: <c>GET /cluster</c>
/// and the tool's <c>cluster</c> and <c>status</c>; samples tagged with the host that ran them; a host that reads another
/// configuration reported by the others; an instance started on a second host counted as an overlap.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ClusterStatusTests
{
    private const int Instances = 200;

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    [Test]
    [CancelAfter(180_000)]
    public async Task Cluster_ShowsItsMembers_TagsSamplesWithTheirHost_AndReportsAnotherConfigurationAndOverlaps()
    {
        using var run = ClusterRun.Start();
        string folder = run.Folder;
        var hosts = run.Hosts;
        HostSettings Settings(string name, int extra = 0, bool overlap = false) => run.Settings(name, Instances, Interval) with
        {
            ExtraInstances = extra,
            ApiSocket = Path.Combine(folder, name + ".sock"),
            ForceOverlap = overlap,
        };

        hosts.AddRange(new[] { "a", "b" }.Select(n => HostProcess.Start(Settings(n))));
        await Task.WhenAll(hosts.Select(h => h.WaitStartedAsync(TimeSpan.FromSeconds(90))));
        string socket = hosts[0].Settings.ApiSocket!;

        // Two members share the 200 instances, every instance on one of them.
        var cluster = await EventuallyAsync(socket, c => Members(c).Count == 2 && Members(c).All(m => m.TryGetProperty("instances", out var n) && n.GetInt32() > 0) && Members(c).Sum(m => m.GetProperty("instances").GetInt32()) == Instances, "two members sharing every instance", hosts);
        Assert.Multiple(() =>
        {
            Assert.That(cluster.GetProperty("localMember").GetString(), Is.EqualTo("a"));
            Assert.That(cluster.GetProperty("clusterInstances").GetInt32(), Is.EqualTo(Instances));
            Assert.That(cluster.GetProperty("configurationMatches").GetBoolean(), Is.True);
            Assert.That(cluster.GetProperty("overlaps").GetInt64(), Is.Zero);
            Assert.That(Members(cluster).Select(static m => m.GetProperty("name").GetString()), Is.EqualTo(new[] { "a", "b" }));
            Assert.That(Members(cluster).Select(static m => m.GetProperty("state").GetString()), Is.All.EqualTo("active"));
            Assert.That(Members(cluster).Select(static m => m.GetProperty("configurationHash").GetString()), Is.All.EqualTo(cluster.GetProperty("configurationHash").GetString()));
            Assert.That(Members(cluster).Single(static m => m.GetProperty("local").GetBoolean()).GetProperty("name").GetString(), Is.EqualTo("a"));
        });

        // The tool: the members' table, and a cluster line in status.
        var (exit, output, error) = Tool("cluster", "--socket", socket);
        Assert.That(exit, Is.Zero, error);
        TestContext.Out.WriteLine(output);
        Assert.That(output, Does.StartWith("Cluster members (2), 200 cluster instances"));
        Assert.That(output, Does.Contain("a (this host)").And.Contain("every member reads the same configuration"));
        (exit, output, error) = Tool("status", "--socket", socket);
        Assert.That(exit, Is.Zero, error);
        Assert.That(output.Split('\n'), Has.One.Match(@"^  cluster +2 member\(s\), 200 cluster instances \(\d+ / \d+\); configuration matches; \d+ moves, 0 overlaps$"));

        // Every sample of a cluster check names the host that ran it, and only that host.
        Eventually(() => TaggedIds(folder, "a").Count + TaggedIds(folder, "b").Count >= Instances, "every instance's samples recorded with their tags");
        foreach (string host in new[] { "a", "b" })
        {
            string[] lines = File.ReadAllLines(RunLog.FileOf(folder, host) + ".tags");
            Assert.That(lines, Is.Not.Empty);
            Assert.That(lines.Select(static l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..]), Is.All.EqualTo($"pychecks_host:{host}"), $"the tags of host {host}'s samples");
        }

        // A third host reads another configuration (one instance more): every host reports it.
        var other = HostProcess.Start(Settings("c", extra: 1));
        hosts.Add(other);
        await other.WaitStartedAsync(TimeSpan.FromSeconds(90));
        cluster = await EventuallyAsync(socket, c => Members(c).Count == 3 && !c.GetProperty("configurationMatches").GetBoolean(), "the third host's other configuration seen", hosts);
        var c3 = Members(cluster).Single(static m => m.GetProperty("name").GetString() == "c");
        Assert.That(c3.GetProperty("configurationHash").GetString(), Is.Not.EqualTo(cluster.GetProperty("configurationHash").GetString()));
        Eventually(() => hosts[0].Output.Contains("Host c reads other cluster checks than this host: 201 instance(s)", StringComparison.Ordinal), "host a's warning about host c's configuration");
        (exit, output, _) = Tool("cluster", "--socket", socket);
        Assert.That(exit, Is.Zero);
        Assert.That(output, Does.Contain("members read different configurations"));

        // A fourth host (same configuration as a and b) also starts an instance that another host runs: an overlap.
        var overlapping = HostProcess.Start(Settings("d", overlap: true));
        hosts.Add(overlapping);
        await overlapping.WaitStartedAsync(TimeSpan.FromSeconds(90));
        Eventually(() => overlapping.Output.Contains("overlap ", StringComparison.Ordinal), "host d's forced overlap");
        cluster = await EventuallyAsync(socket, c => c.GetProperty("overlaps").GetInt64() >= 1, "the overlap counted", hosts);
        Assert.That(Members(cluster).Single(static m => m.GetProperty("name").GetString() == "d").GetProperty("overlaps").GetInt64(), Is.EqualTo(1), "counted by the host that started the second run");
        Assert.That(overlapping.Output, Does.Contain("1 cluster check instance(s) started here while host"));

        // Host d runs it without an activation the grain directory knows: its next sweep's move reaches the real one, on
        // another host, and d stops it (event 1311); the other host keeps it.
        string forced = overlapping.Output.Split('\n').First(static l => l.StartsWith("overlap ", StringComparison.Ordinal))["overlap ".Length..].Trim();
        Eventually(() => overlapping.Output.Contains($"Cluster check {forced} ran here on an activation that Orleans' grain directory does not know", StringComparison.Ordinal), "host d stopped the instance the directory does not know it has");
        long stoppedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Task.Delay(2 * Interval);
        var runs = new RunLog(folder, Interval).Read().Where(r => r.CheckId == forced && r.UnixMs > stoppedAt).ToList();
        Assert.That(runs.Select(static r => r.Host), Has.None.EqualTo("d"), "d no longer ran it");
        Assert.That(runs, Is.Not.Empty, "its host still ran it");

        run.Succeeded();
    }

    private static List<JsonElement> Members(JsonElement cluster) => [.. cluster.GetProperty("members").EnumerateArray()];

    private static HashSet<string> TaggedIds(string folder, string host)
    {
        string file = RunLog.FileOf(folder, host) + ".tags";
        if (!File.Exists(file))
        {
            return [];
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(static l => l.Split(' ')[0])];
    }

    private static (int Exit, string Output, string Error) Tool(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = ToolCommandLine.RunAsync(args, ToolTerminal.Redirected(output, error), CancellationToken.None).GetAwaiter().GetResult();
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Asks <c>GET /cluster</c> (through <c>pychecks cluster --json</c>) until <paramref name="condition"/> holds.</summary>
    private static async Task<JsonElement> EventuallyAsync(string socket, Func<JsonElement, bool> condition, string what, List<HostProcess> hosts)
    {
        var clock = Stopwatch.StartNew();
        string last = string.Empty;
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var (exit, output, error) = Tool("cluster", "--socket", socket, "--json");
            last = exit == 0 ? output : error;
            if (exit == 0)
            {
                using var document = JsonDocument.Parse(output);
                if (condition(document.RootElement))
                {
                    return document.RootElement.Clone();
                }
            }

            await Task.Delay(500);
        }

        Assert.Fail($"{what}: not within 60 s; last answer:\n{last}\n" + string.Join("\n", hosts.Select(static h => $"--- host {h.Name}:\n{(h.Output.Length <= 3000 ? h.Output : h.Output[^3000..])}")));
        return default;
    }

    private static void Eventually(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                Assert.Fail($"{what}: not within 60 s");
            }

            Thread.Sleep(200);
        }
    }
}
