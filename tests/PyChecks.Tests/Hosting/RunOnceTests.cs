using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Hosting;

/// <summary>Running a configured check once, outside the schedule: what it submits is captured, never sent.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class RunOnceTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void RunOnce_CapturesEachInstancesSamples_WithoutReachingTheSenders(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("probe", """
            from datadog_checks.base import AgentCheck

            class ProbeCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('probe.value', instance['value'], tags=['from:probe'])
                    self.service_check('probe.up', AgentCheck.OK, message='fine')
                    self.event({'msg_title': 'probed', 'msg_text': 'text'})
                    if instance['value'] > 1:
                        self.warning('value is high')
                        raise ValueError('too high')
            """).Config("probe", """
            instances:
              - value: 1
                min_collection_interval: 60
              - value: 2
                min_collection_interval: 60
            """);
        using var hosted = HostedChecks.Start(folder);
        Eventually.That(() => hosted.CommitsOf("probe") == 2, "the scheduled first runs");
        int sentBefore = hosted.Sender.Metrics.Count;

        var report = hosted.Scheduler.RunOnceAsync("probe").GetAwaiter().GetResult()!;

        Assert.That(report.CheckName, Is.EqualTo("probe"));
        Assert.That(report.Errors, Is.Empty);
        Assert.That(report.Instances, Has.Count.EqualTo(2));
        var ok = report.Instances.Single(i => i.Result.Succeeded);
        var failed = report.Instances.Single(i => !i.Result.Succeeded);
        Assert.That(ok.Metrics.Single().Value, Is.EqualTo(1.0));
        Assert.That(ok.Metrics.Single().Tags, Is.EqualTo(new[] { "from:probe" }));
        Assert.That(ok.ServiceChecks.Single().Message, Is.EqualTo("fine"));
        Assert.That(ok.Events.Single().Title, Is.EqualTo("probed"));
        Assert.That(failed.Result.Error, Is.EqualTo("too high"));
        Assert.That(failed.Result.Traceback, Does.Contain("ValueError: too high"));
        Assert.That(failed.Result.Warnings, Is.EqualTo(new[] { "value is high" }));
        Assert.That(failed.Metrics.Single().Value, Is.EqualTo(2.0));
        Assert.That(report.Instances.Select(i => i.CheckId), Is.EquivalentTo(hosted.Status.GetAll().Select(s => s.CheckId)), "the same instances, by id");
        Assert.That(hosted.Sender.Metrics, Has.Count.EqualTo(sentBefore), "nothing reached the host's senders");
        Assert.That(hosted.CommitsOf("probe"), Is.EqualTo(2));

        // The scheduled instances still send to the senders afterwards.
        hosted.Advance(TimeSpan.FromSeconds(60));
        Eventually.That(() => hosted.CommitsOf("probe") == 4, "the next scheduled runs");
        Assert.That(hosted.Sender.Metrics, Has.Count.EqualTo(sentBefore + 2));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void RunOnce_OfANameThatIsNotAConfiguredCheck_ImportsNothing(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("probe", """
            from datadog_checks.base import AgentCheck

            class ProbeCheck(AgentCheck):
                def check(self, instance):
                    pass
            """).Check("unconfigured", """
            raise SystemExit('imported!')
            """).Config("probe", "instances: [{}]");
        using var hosted = HostedChecks.Start(folder);

        foreach (string name in new[] { "os", "../../os", "unconfigured", "PROBE", "probe.py", "" })
        {
            Assert.That(hosted.Scheduler.RunOnceAsync(name).GetAwaiter().GetResult(), Is.Null, name);
        }

        Assert.That(PythonModules.IsImported("unconfigured"), Is.False, "the unconfigured module was never imported");
    });
}
