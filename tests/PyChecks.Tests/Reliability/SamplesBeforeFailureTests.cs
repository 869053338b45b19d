using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Reliability;

/// <summary>
/// What a run submitted before it failed — raised, timed out, was cancelled, got stuck in C — is delivered: each
/// sample reaches the senders when it is submitted, and the run ends with a commit marked failed that counts them.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SamplesBeforeFailureTests
{
    /// <summary>Submits, then fails the way <c>how</c> says; a <c>finally</c> block submits too.</summary>
    private const string FailingCheck = """
        import time
        from datadog_checks.base import AgentCheck

        class FailingCheck(AgentCheck):
            def check(self, instance):
                how = instance['how']
                try:
                    # Inside the try: the interrupt may land in gauge() itself, right after the sample went out.
                    self.gauge('before', 1, tags=['how:' + how])
                    if how == 'raise':
                        raise RuntimeError('broken')
                    elif how == 'sleep':
                        time.sleep(3)
                    else:
                        while True:
                            pass
                finally:
                    self.gauge('finally', 1, tags=['how:' + how])
                self.gauge('after', 1, tags=['how:' + how])
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void SamplesBeforeARaiseATimeoutOrACancel_AreDelivered_AndCommittedWithTheFailedRun(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("raising", FailingCheck).Config("raising", "instances: [{how: raise, min_collection_interval: 60}]\n")
            .Check("timing_out", FailingCheck).Config("timing_out", "instances: [{how: spin, min_collection_interval: 60, run_timeout: 2}]\n")
            .Check("cancelled", FailingCheck).Config("cancelled", "instances: [{how: spin, min_collection_interval: 60, run_timeout: 3600}]\n");
        using var hosted = HostedChecks.Start(folder, o => o.Python.WorkerCount = 3);

        Eventually.That(() => hosted.Sender.Metrics.Count(m => m.Name == "before") == 3, "the three runs submitted their first sample");
        Assert.That(hosted.Scheduler.Cancel(hosted.StatusOf("cancelled").CheckId), Is.EqualTo(CheckCancelResult.Interrupted));
        hosted.Advance(TimeSpan.FromSeconds(2));
        Eventually.That(() => hosted.Sender.Commits.Count == 3, "the three runs ended and committed");
        Eventually.That(() => hosted.Status.GetAll().All(s => s.TotalRuns == 1), "the scheduler recorded the three runs");

        Assert.That(hosted.StatusOf("raising").LastOutcome, Is.EqualTo(CheckRunOutcome.Error));
        Assert.That(hosted.StatusOf("timing_out").LastOutcome, Is.EqualTo(CheckRunOutcome.TimedOut));
        Assert.That(hosted.StatusOf("cancelled").LastOutcome, Is.EqualTo(CheckRunOutcome.Cancelled));
        foreach (string name in new[] { "raising", "timing_out", "cancelled" })
        {
            var commit = hosted.Sender.Commits.Single(c => c.CheckName == name);
            Assert.That(commit.Succeeded, Is.False, $"{name}: committed as a failed run");
            Assert.That(commit.Metrics, Is.EqualTo(2), $"{name}: the commit counts the sample before the failure and the one in 'finally'");
            Assert.That(hosted.StatusOf(name).LastMetrics, Is.EqualTo(2), $"{name}: so does the status");
            Assert.That(hosted.Sender.Metrics.Where(m => m.CheckId == commit.CheckId).Select(m => m.Name), Is.EqualTo(new[] { "before", "finally" }), $"{name}: both delivered, nothing after the failure");
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void SamplesBeforeARunBlockedInC_AreDeliveredAtOnce_AndCommittedWhenTheStuckRunReturns(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("sleeping", FailingCheck).Config("sleeping", "instances: [{how: sleep, min_collection_interval: 60, run_timeout: 1}]\n");
        using var hosted = HostedChecks.Start(folder, o => o.StuckRunGrace = TimeSpan.FromMilliseconds(500));

        Eventually.That(() => hosted.Sender.Metrics.Any(m => m.Name == "before"), "the sample before the sleep, delivered while the run sleeps");
        hosted.Advance(TimeSpan.FromSeconds(1));
        hosted.Advance(TimeSpan.FromMilliseconds(500));
        Eventually.That(() => hosted.StatusOf("sleeping").State == CheckState.Stuck || hosted.Sender.Commits.Count == 1, "stuck in its sleep (or already back from it)");
        Assert.That(hosted.Sender.Metrics.Select(m => m.Name), Has.Member("before"));

        Eventually.That(() => hosted.Sender.Commits.Count == 1, "the sleep returns, the interrupt lands, the run commits");
        Eventually.That(() => hosted.StatusOf("sleeping").TotalRuns == 1, "the scheduler recorded the run");
        var commit = hosted.Sender.Commits.Single();
        Assert.That(commit.Succeeded, Is.False);
        Assert.That(commit.Metrics, Is.EqualTo(2), "the sample before the sleep and the one in 'finally'");
        Assert.That(hosted.Sender.Metrics.Select(m => m.Name), Is.EqualTo(new[] { "before", "finally" }));
        Assert.That(hosted.StatusOf("sleeping").LastOutcome, Is.EqualTo(CheckRunOutcome.TimedOut));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void SamplesBeforeACancelledRunAsync_AreDelivered_AndTheInterruptedResultCountsThem(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("spinning", FailingCheck).Config("spinning", "instances: [{how: spin}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();

        using var cancel = new CancellationTokenSource();
        var run = check.RunAsync(cancel.Token);
        Eventually.That(() => sender.Metrics.Count == 1, "the sample before the loop");
        cancel.Cancel();
        Assert.That(run.Wait(TimeSpan.FromSeconds(30)), Is.True, "the run was interrupted");

        var result = run.Result;
        Assert.That(result.Interrupted, Is.True);
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Metrics, Is.EqualTo(2));
        Assert.That(sender.Metrics.Select(m => m.Name), Is.EqualTo(new[] { "before", "finally" }));
        Assert.That(sender.Commits.Single(), Is.EqualTo(new CheckRunSummary { CheckId = check.Id, CheckName = "spinning", Succeeded = false, Metrics = 2, ServiceChecks = 0, Events = 0, HistogramBuckets = 0 }));
    });
}
