using NUnit.Framework;
using PyChecks.Sample;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Sample;

/// <summary>The sample's example checks run on every supported Python with its standard library alone, and submit what they promise.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SampleChecksTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void EveryExampleCheck_LoadsRunsAndSubmitsItsSamples(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var server = LoopbackStatusServer.Start();
        var sender = new InMemorySender();
        var options = new PyChecksOptions { Python = new PythonRuntimeOptions { Python = ChildPython.Library } };
        SampleChecks.Configure(options, server.HealthUrl);
        using var host = CheckHost.Start(options, [sender]);
        var checks = CheckFolder.LoadAll(host);
        Assert.That(checks.Select(c => c.Name).Order(), Is.EqualTo(new[] { "filesystem", "filesystem", "hello", "http_probe", "process_count", "process_count" }));
        foreach (var check in checks)
        {
            var result = check.RunAsync().GetAwaiter().GetResult();
            Assert.That(result.Succeeded, Is.True, $"{check.Id}: {result.Error}\n{result.Traceback}");
        }

        var metrics = sender.Metrics;
        RecordedMetric Metric(string name, string tag) => metrics.Single(m => m.Name == name && m.Tags.Contains(tag));
        var serviceChecks = sender.ServiceChecks;
        Assert.Multiple(() =>
        {
            Assert.That(Metric("hello.world", "env:sample").Value, Is.EqualTo(1.0));

            double total = Metric("sample.fs.total_bytes", "path:/").Value;
            Assert.That(total, Is.Positive);
            Assert.That(Metric("sample.fs.used_bytes", "path:/").Value + Metric("sample.fs.free_bytes", "path:/").Value, Is.LessThanOrEqualTo(total));
            Assert.That(Metric("sample.fs.used_pct", "path:/").Value, Is.InRange(0.0, 100.0));
            Assert.That(Metric("sample.fs.free_bytes", "path:/tmp").Tags, Is.EqualTo(new[] { "path:/tmp", "service:scratch" }));
            Assert.That(serviceChecks.Count(s => s.Name == "sample.fs.space"), Is.EqualTo(2));

            var states = metrics.Where(m => m.Name == "sample.proc.by_state").ToList();
            Assert.That(states.Select(m => m.Tags.Single()), Is.EquivalentTo(new[]
            {
                "state:running", "state:sleeping", "state:disk_sleep", "state:zombie", "state:stopped", "state:tracing_stop", "state:idle",
            }));
            double processes = metrics.Single(m => m.Name == "sample.proc.total").Value;
            Assert.That(processes, Is.GreaterThanOrEqualTo(2), "this process and its parent at least");
            Assert.That(states.Sum(m => m.Value), Is.LessThanOrEqualTo(processes));
            Assert.That(metrics.Single(m => m.Name == "sample.proc.threads").Value, Is.GreaterThan(processes), "a .NET process alone has several threads");
            double matching = Metric("sample.proc.matching", "search:PyChecks.Sample").Value;
            var up = serviceChecks.Single(s => s.Name == "sample.proc.up");
            Assert.That(up.Status, Is.EqualTo(matching >= 1 ? ServiceCheckStatus.Ok : ServiceCheckStatus.Critical));

            string url = "url:" + server.HealthUrl;
            Assert.That(Metric("sample.http.status_code", url).Value, Is.EqualTo(200.0));
            Assert.That(Metric("sample.http.response_time", url).Value, Is.InRange(0.0, 2.0));
            Assert.That(Metric("sample.http.content_length", url).Tags, Is.EqualTo(new[] { url, "endpoint:health" }));
            var canConnect = serviceChecks.Single(s => s.Name == "sample.http.can_connect");
            Assert.That(canConnect.Status, Is.EqualTo(ServiceCheckStatus.Ok), canConnect.Message);
            Assert.That(server.Requests, Is.EqualTo(1));
        });

        foreach (var check in checks)
        {
            check.Dispose();
        }

        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void HttpProbe_WhenTheEndpointGoesAway_IsCritical_AndSendsAnEvent(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var server = LoopbackStatusServer.Start();
        var sender = new InMemorySender();
        var folder = new CheckFolder();
        File.Copy(Path.Combine(SampleChecks.ChecksDirectory, "http_probe.py"), Path.Combine(folder.ChecksDirectory, "http_probe.py"));
        using var host = folder.Start([sender], o => o.Checks.Add(SampleChecks.HttpProbe(server.HealthUrl)));
        var check = CheckFolder.LoadAll(host).Single();

        Assert.That(check.RunAsync().GetAwaiter().GetResult().Succeeded, Is.True);
        Assert.That(sender.ServiceChecks.Single().Status, Is.EqualTo(ServiceCheckStatus.Ok));
        Assert.That(sender.Events, Is.Empty, "no event on the first run");

        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        sender.Clear();
        Assert.That(check.RunAsync().GetAwaiter().GetResult().Succeeded, Is.True, "an unreachable endpoint is a CRITICAL service check, not a failed run");
        var down = sender.ServiceChecks.Single();
        Assert.That(down.Status, Is.EqualTo(ServiceCheckStatus.Critical));
        Assert.That(down.Message, Does.StartWith("cannot connect: ").And.Contain("refused"));
        Assert.That(sender.Metrics, Is.Empty);
        var checkEvent = sender.Events.Single();
        Assert.That(checkEvent.Title, Is.EqualTo(server.HealthUrl + " is down"));
        Assert.That(checkEvent.AlertType, Is.EqualTo("error"));
        Assert.That(checkEvent.SourceTypeName, Is.EqualTo("http_probe"));
        check.Dispose();
    });
}
