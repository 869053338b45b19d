using NUnit.Framework;
using PyChecks.Orleans.Placement;

namespace PyChecks.Orleans.Tests;

/// <summary>How cluster checks are shared out: rendezvous hashing of check ids over hosts, and each instance's beat.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class RendezvousTests
{
    private static readonly string[] Ids = [.. Enumerable.Range(0, 3000).Select(static i => $"cluster_probe:{i:x16}")];

    [Test]
    public void Pick_SharesInstancesEvenlyOverHosts()
    {
        string[] hosts = ["127.0.0.1:11111@1", "127.0.0.1:11112@1", "127.0.0.1:11113@1", "127.0.0.1:11114@1"];
        var shares = Ids.GroupBy(id => Rendezvous.Pick(id, hosts)).ToDictionary(static g => g.Key, static g => g.Count());

        Assert.That(shares.Keys, Is.EquivalentTo(new[] { 0, 1, 2, 3 }));
        Assert.That(shares.Values, Has.All.InRange(750 * 0.9, 750 * 1.1), "each host within 10 % of an even share");
    }

    [Test]
    public void Pick_WhenAHostLeaves_MovesOnlyItsInstances()
    {
        string[] three = ["a", "b", "c"];
        string[] two = ["a", "b"];
        foreach (string id in Ids)
        {
            int before = Rendezvous.Pick(id, three);
            if (before < 2)
            {
                Assert.That(Rendezvous.Pick(id, two), Is.EqualTo(before), $"{id} stays on {three[before]}");
            }
        }
    }

    [Test]
    public void Beat_IsTheSameOnEveryHost_AndWithinTheInterval()
    {
        var interval = TimeSpan.FromSeconds(5);
        var now = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        foreach (string id in Ids.Take(200))
        {
            var delay = ClusterCheckPlacement.Beat(id, interval, now);
            var later = ClusterCheckPlacement.Beat(id, interval, now + TimeSpan.FromSeconds(2));
            Assert.That(delay, Is.GreaterThanOrEqualTo(TimeSpan.Zero).And.LessThan(interval));
            Assert.That(((now + delay).UtcTicks - (now + TimeSpan.FromSeconds(2) + later).UtcTicks) % interval.Ticks, Is.Zero, "both land on the same beat");
        }
    }
}
