using NUnit.Framework;

namespace PyChecks.Tests.Conformance;

/// <summary>How the conformance suite reads an integration's <c>metadata.csv</c> and <c>service_checks.json</c>, on the real files.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class IntegrationAssetsTests
{
    [Test]
    public void IsListed_TakesAHistogramByTheAggregatesTheAgentMakes_AndNothingElseByPrefix()
    {
        var goExpvar = Toolkit().Integration("go_expvar");
        var listed = goExpvar.ListedMetrics();

        Assert.Multiple(() =>
        {
            Assert.That(listed, Does.Contain("go_expvar.memstats.alloc").And.Contain("go_expvar.memstats.pause_ns.95percentile"));
            Assert.That(listed, Does.Not.Contain("metric_name"), "the header is not a metric");
            Assert.That(Integration.IsListed(listed, "go_expvar.memstats.alloc", MetricType.Gauge), Is.True);
            Assert.That(Integration.IsListed(listed, "go_expvar.memstats.pause_ns", MetricType.Histogram), Is.True, "listed as .avg, .max, …");
            Assert.That(Integration.IsListed(listed, "go_expvar.memstats.pause_ns", MetricType.Gauge), Is.False, "a gauge has no aggregates");
            Assert.That(Integration.IsListed(listed, "go_expvar.memstats", MetricType.Histogram), Is.False);
            Assert.That(Integration.IsListed(listed, "go_expvar.memstats.alloc_bytes", MetricType.Gauge), Is.False);
        });
    }

    [Test]
    public void ListedServiceChecks_AreTheCheckNamesOfTheAssetsFile()
    {
        Assert.That(Toolkit().Integration("apache").ListedServiceChecks(), Is.EquivalentTo(new[] { "apache.can_connect" }));
    }

    [Test]
    public void TheSuiteRuns_EveryIntegrationOfTheSharedFolder()
    {
        var folders = Directory.GetDirectories(Path.Combine(Toolkit().Root, "integrations")).Select(Path.GetFileName);
        Assert.That(DatadogToolkit.IntegrationNames, Is.EquivalentTo(folders));
    }

    [Test]
    public void ShippedConfig_IsTheExample_OrTheDefaultWhenThereIsNoExample()
    {
        var toolkit = Toolkit();
        Assert.Multiple(() =>
        {
            Assert.That(Path.GetFileName(toolkit.Integration("apache").ShippedConfig), Is.EqualTo("conf.yaml.example"));
            Assert.That(Path.GetFileName(toolkit.Integration("network").ShippedConfig), Is.EqualTo("conf.yaml.default"));
            Assert.That(DatadogToolkit.IntegrationNames.Select(n => toolkit.Integration(n).ShippedConfig), Has.All.Matches<string>(File.Exists));
        });
    }

    private static DatadogToolkit Toolkit()
    {
        var (toolkit, looked) = DatadogToolkit.Find();
        if (toolkit is null)
        {
            Assert.Ignore($"Datadog's toolkit and integrations are not on this machine: no shared/datadog above the repository (looked at {looked}).");
        }

        return toolkit!;
    }
}
