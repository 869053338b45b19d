using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Isolation;

/// <summary>
/// Checks in <see cref="CheckIsolation.Process"/> mode: the host's senders get exactly what the same check gives in
/// process, from a worker process with its own pid and the host's Python; and each way a worker can end ends only it.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class WorkerProcessTests
{
    internal const string EveryKind = """
        import os, sys
        from datadog_checks.base import AgentCheck

        class EveryKind(AgentCheck):
            def check(self, instance):
                self.gauge('kind.gauge', 1.5, tags=['a:1', 'b:' + instance['b']])
                self.count('kind.count', 3, tags=['a:1'], hostname='elsewhere')
                self.monotonic_count('kind.monotonic', 10)
                self.rate('kind.rate', 2.25, tags=['ünïcode:✓'])
                self.histogram('kind.histogram', 7)
                self.service_check('kind.can_connect', AgentCheck.WARNING, tags=['a:1'], message='slow')
                self.event({'msg_title': 'title', 'msg_text': 'text', 'timestamp': 1700000000, 'tags': ['e:1'], 'alert_type': 'info'})
                self.submit_histogram_bucket('kind.bucket', 4, 0.0, 10.0, True, 'host-b', ['le:10'])
                self.gauge('kind.pid', os.getpid())
                self.gauge('kind.python', sys.version_info[0] * 100 + sys.version_info[1])
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void AProcessCheck_DeliversWhatTheSameCheckDeliversInProcess_FromAnotherPid(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("every_kind", EveryKind).Config("every_kind", """
            instances:
              - {b: '2'}
              - {b: '3', isolation: in_process}
            """);
        var sender = new InMemorySender();
        using var host = folder.Start([sender], o =>
        {
            o.Isolation = CheckIsolation.Process;
            o.WorkerProcesses.Count = 1;
        });
        var checks = CheckFolder.LoadAll(host);
        Assert.That(checks, Has.Count.EqualTo(2));
        var inWorker = checks.Single(c => c.GetType().Name == "ProcessCheck");
        var inProcess = checks.Single(c => c != inWorker);

        foreach (var check in checks)
        {
            var result = check.RunAsync().GetAwaiter().GetResult();
            Assert.That(result.Error, Is.Null, $"{check.Id}: {result.Traceback}");
            Assert.That((result.Metrics, result.ServiceChecks, result.Events, result.HistogramBuckets), Is.EqualTo((7, 1, 1, 1)), check.Id);
        }

        Assert.That(inWorker.Name, Is.EqualTo("every_kind"));
        Assert.That(inWorker.Interval, Is.EqualTo(inProcess.Interval));
        var pids = sender.Metrics.Where(m => m.Name == "kind.pid").ToDictionary(m => m.CheckId, m => (int)m.Value);
        Assert.That(pids[inProcess.Id], Is.EqualTo(Environment.ProcessId));
        Assert.That(pids[inWorker.Id], Is.Not.EqualTo(Environment.ProcessId), "the check ran in another process");
        var pythons = sender.Metrics.Where(m => m.Name == "kind.python").Select(m => m.Value).Distinct().ToList();
        Assert.That(pythons, Has.Count.EqualTo(1), "the worker runs the host's Python");

        // Field for field, in the same order, apart from the check id, the pid and the 'b' tag.
        static string Shape(RecordedMetric m) => $"{m.Type} {m.Name} {(m.Name == "kind.pid" ? 0 : m.Value)} [{string.Join(",", m.Tags.Where(t => !t.StartsWith("b:", StringComparison.Ordinal)))}] {m.Hostname} {m.FlushFirstValue}";
        var fromWorker = sender.Metrics.Where(m => m.CheckId == inWorker.Id).Select(Shape).ToList();
        var fromHost = sender.Metrics.Where(m => m.CheckId == inProcess.Id).Select(Shape).ToList();
        Assert.That(fromWorker, Is.EqualTo(fromHost));
        Assert.That(sender.Metrics.Single(m => m.CheckId == inWorker.Id && m.Name == "kind.gauge").Tags, Does.Contain("b:2"));
        Assert.That(sender.ServiceChecks.Select(s => (s.Name, s.Status, s.Message, string.Join(",", s.Tags))).Distinct().Count(), Is.EqualTo(1));
        Assert.That(sender.Events.Select(e => (e.Title, e.Text, e.Timestamp, e.AlertType, string.Join(",", e.Tags))).Distinct().Count(), Is.EqualTo(1));
        Assert.That(sender.HistogramBuckets.Select(b => (b.Name, b.Value, b.LowerBound, b.UpperBound, b.Monotonic, b.Hostname)).Distinct().Count(), Is.EqualTo(1));
        Assert.That(sender.Commits.Where(c => c.CheckId == inWorker.Id).Select(c => (c.Succeeded, c.Metrics)), Is.EqualTo(new[] { (true, 7) }));

        // A second run sends its strings by id: the same samples again.
        Assert.That(inWorker.RunAsync().GetAwaiter().GetResult().Error, Is.Null);
        Assert.That(sender.Metrics.Where(m => m.CheckId == inWorker.Id).Select(Shape).Skip(7), Is.EqualTo(fromHost));
        foreach (var check in checks)
        {
            check.Dispose();
        }
    });
}
