using NUnit.Framework;
using PyChecks.AspNetCore.Recent;
using PyChecks.AspNetCore.Routing;

namespace PyChecks.Tests.ControlApi;

/// <summary>The ring behind <c>GET /metrics/recent</c>, and the rules URLs are checked by — plain .NET, no Python.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class RecentSamplesTests
{
    [Test]
    public void Ring_KeepsTheLatestSamplesPerCheck()
    {
        var ring = new RecentSamples(TimeProvider.System, perCheck: 3, total: 100);
        for (int i = 1; i <= 10; i++)
        {
            Submit(ring, "a:1", i);
        }

        Submit(ring, "b:1", 100);
        Assert.That(ring.Get("a").Select(s => s.Value), Is.EqualTo(new double?[] { 8, 9, 10 }));
        Assert.That(ring.Get("b").Select(s => s.Value), Is.EqualTo(new double?[] { 100 }));
        Assert.That(ring.Get(null).Select(s => s.Value), Is.EqualTo(new double?[] { 8, 9, 10, 100 }), "all, oldest first");
        Assert.That(ring.Get("c"), Is.Empty);
    }

    [Test]
    public void Ring_DropsTheOldestSamplesOfAnyCheck_PastTheTotal()
    {
        var ring = new RecentSamples(TimeProvider.System, perCheck: 10, total: 5);
        Submit(ring, "a:1", 1);
        Submit(ring, "b:1", 2);
        Submit(ring, "a:1", 3);
        Submit(ring, "c:1", 4);
        Submit(ring, "b:1", 5);
        Submit(ring, "c:1", 6);
        Submit(ring, "c:1", 7);
        Assert.That(ring.Count, Is.EqualTo(5));
        Assert.That(ring.Get(null).Select(s => s.Value), Is.EqualTo(new double?[] { 3, 4, 5, 6, 7 }));
        Assert.That(ring.Get("a").Select(s => s.Value), Is.EqualTo(new double?[] { 3 }));
    }

    [Test]
    public void Ring_StaysBounded_UnderManyChecksAndSamples()
    {
        var ring = new RecentSamples(TimeProvider.System, perCheck: 7, total: 50);
        for (int i = 0; i < 200_000; i++)
        {
            Submit(ring, $"check{i % 13}:x", i);
        }

        Assert.That(ring.Count, Is.EqualTo(50));
        Assert.That(ring.Get("check0"), Has.Count.LessThanOrEqualTo(7));
        Assert.That(ring.Get(null)[^1].Value, Is.EqualTo(199_999));
    }

    [Test]
    public void Ring_KeepsServiceChecks_WithTheirStatus_AndNamesTheCheckFromItsId()
    {
        var ring = new RecentSamples(TimeProvider.System, perCheck: 10, total: 10);
        ring.SubmitServiceCheck(new ServiceCheckSample { CheckId = "http:site:abc", Name = "http.up", Status = ServiceCheckStatus.Critical, Tags = ["a:b"], Hostname = "", Message = "down" });
        var sample = ring.Get("http").Single();
        Assert.That(sample.Kind, Is.EqualTo(RecentSampleKind.ServiceCheck));
        Assert.That(sample.Status, Is.EqualTo(ServiceCheckStatus.Critical));
        Assert.That(sample.Tags, Is.EqualTo(new[] { "a:b" }));
    }

    [TestCase("probe", true)]
    [TestCase("datadog_checks.http-check", true)]
    [TestCase("os", true)]
    [TestCase("", false)]
    [TestCase("..", false)]
    [TestCase("../../os", false)]
    [TestCase("a/b", false)]
    [TestCase("a\\b", false)]
    [TestCase(".a", false)]
    [TestCase("a.", false)]
    [TestCase("a..b", false)]
    [TestCase("a b", false)]
    [TestCase("a%2Fb", false)]
    [TestCase("a\0b", false)]
    public void CheckNames_AcceptOnlyModuleLikeNames(string name, bool valid) => Assert.That(CheckNames.IsValidName(name), Is.EqualTo(valid));

    [TestCase("status", "GET")]
    [TestCase("checks/x", "GET")]
    [TestCase("checks/x/run", "POST")]
    [TestCase("checks/x/cancel", "POST")]
    [TestCase("reload", "POST")]
    [TestCase("metrics/recent", "GET")]
    [TestCase("checks/x/y", null)]
    [TestCase("", null)]
    public void RouteTable_KnowsEachRoutesMethod(string path, string? method) => Assert.That(RouteTable.AllowedMethod(path), Is.EqualTo(method));

    private static void Submit(RecentSamples ring, string checkId, double value) =>
        ring.SubmitMetric(new MetricSample { CheckId = checkId, Type = MetricType.Gauge, Name = "m", Value = value, Tags = [], Hostname = "" });
}
