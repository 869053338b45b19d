using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Hosting;

/// <summary>Reloading conf.d on demand: new instances start, removed ones stop, changed modules are imported again.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ReloadTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Reload_StartsNewInstances_StopsRemovedOnes_AndReimportsChangedModules(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("alpha", """
            from datadog_checks.base import AgentCheck

            class AlphaCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('alpha.v1', 1)
            """).Config("alpha", "instances: [{min_collection_interval: 10}]");
        using var hosted = HostedChecks.Start(folder);
        Eventually.That(() => hosted.CommitsOf("alpha") == 1, "alpha's first run");
        string alphaId = hosted.StatusOf("alpha").CheckId;

        // A new check and its configuration; alpha's configuration is gone.
        folder.Check("beta", """
            from datadog_checks.base import AgentCheck

            class BetaCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('beta.v1', 1)
            """).Config("beta", "instances: [{min_collection_interval: 10}]");
        File.Delete(Path.Combine(folder.ConfigDirectory, "alpha.yaml"));

        var first = hosted.Scheduler.ReloadAsync().GetAwaiter().GetResult();
        string betaId = hosted.StatusOf("beta").CheckId;
        Assert.That(first.Added, Is.EqualTo(new[] { betaId }));
        Assert.That(first.Removed, Is.EqualTo(new[] { alphaId }));
        Assert.That(first.Replaced, Is.Empty);
        Assert.That(first.Errors, Is.Empty);
        Assert.That(hosted.Status.GetAll().Select(s => s.CheckName), Is.EqualTo(new[] { "beta" }));
        Assert.That(hosted.Scheduler.Checks.Select(c => c.Id), Is.EqualTo(new[] { betaId }));
        Eventually.That(() => hosted.CommitsOf("beta") == 1, "beta's first run, at once");

        // beta's module changes on disk: its instance is replaced and runs the new code.
        folder.Check("beta", """
            from datadog_checks.base import AgentCheck

            class BetaCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('beta.version_two', 2)
            """);
        var second = hosted.Scheduler.ReloadAsync().GetAwaiter().GetResult();
        Assert.That(second.Replaced, Is.EqualTo(new[] { betaId }));
        Assert.That(second.Added, Is.Empty);
        Assert.That(second.Removed, Is.Empty);
        Eventually.That(() => hosted.Sender.Metrics.Any(m => m.Name == "beta.version_two"), "the new code runs");
        Eventually.That(() => hosted.StatusOf("beta").TotalRuns == 1, "the replaced instance's first run, completed");

        // Nothing changed: nothing is replaced, and the schedule goes on.
        var third = hosted.Scheduler.ReloadAsync().GetAwaiter().GetResult();
        Assert.That(third.Unchanged, Is.EqualTo(1));
        Assert.That(third.Added.Concat(third.Removed).Concat(third.Replaced), Is.Empty);
        hosted.Advance(TimeSpan.FromSeconds(10));
        Eventually.That(() => hosted.Sender.Metrics.Count(m => m.Name == "beta.version_two") == 2, "beta's next run");
        Assert.That(hosted.Sender.Metrics.Count(m => m.Name == "alpha.v1"), Is.EqualTo(1), "alpha never ran again");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Reload_WithABadFile_ReportsItWithFileAndLine_AndKeepsTheOthers(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("alpha", """
            from datadog_checks.base import AgentCheck

            class AlphaCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('alpha', 1)
            """).Config("alpha", "instances: [{}]");
        using var hosted = HostedChecks.Start(folder);
        Eventually.That(() => hosted.CommitsOf("alpha") == 1, "alpha's first run");

        folder.Config("broken", "instances:\n  - min_collection_interval: soon\n");
        folder.Config("missing", "instances: [{}]");
        var result = hosted.Scheduler.ReloadAsync().GetAwaiter().GetResult();

        Assert.That(result.Unchanged, Is.EqualTo(1));
        Assert.That(result.Errors, Has.Count.EqualTo(2));
        Assert.That(result.Errors, Has.Some.Contains("broken.yaml, line 2").And.Contains("min_collection_interval"));
        Assert.That(result.Errors, Has.Some.Contains("missing").And.Contains("no such module"));
        Assert.That(hosted.Status.LoadErrors, Is.EqualTo(result.Errors));
        Assert.That(hosted.Status.GetAll().Select(s => s.CheckName), Is.EqualTo(new[] { "alpha" }));
    });
}
