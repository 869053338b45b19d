using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks;

/// <summary>A run's cancellation token interrupts its Python code, on every CPython version.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class CheckInterruptTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void RunAsync_CancelledWhileRunning_InterruptsThePythonCode(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("spin", """
            from datadog_checks.base import AgentCheck

            class SpinCheck(AgentCheck):
                cleaned = False

                def check(self, instance):
                    try:
                        # Inside the try: the interrupt can land while gauge() is returning, after the sample was delivered.
                        self.gauge('spin.started', 1)
                        while True:
                            pass
                    finally:
                        SpinCheck.cleaned = True
            """).Config("spin", "instances: [{}]");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        using var check = CheckFolder.LoadAll(host).Single();

        using var cancel = new CancellationTokenSource();
        var run = check.RunAsync(cancel.Token);
        Eventually.That(() => sender.Metrics.Count == 1, "the run, in its loop");
        cancel.Cancel();
        var result = run.Wait(TimeSpan.FromSeconds(20)) ? run.Result : throw new AssertionException("the interrupt did not end the run");

        Assert.That(result.Interrupted, Is.True);
        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Error, Does.Contain("CheckInterrupt"));
        Assert.That(result.Traceback, Does.Contain("spin.py").And.Contain("in check"), "the traceback shows where the check was interrupted");
        Assert.That(result.Metrics, Is.EqualTo(1), "what was submitted before the interrupt is kept");
        using (host.Runtime.AcquireGil())
        {
            using var module = PyObject.Import("spin");
            using var cls = module.GetAttr("SpinCheck");
            using var cleaned = cls.GetAttr("cleaned");
            Assert.That(cleaned.As<bool>(), Is.True, "finally blocks run");
        }

        // The interrupt does not leak into the next run.
        using (host.Runtime.AcquireGil())
        {
            using var module = PyObject.Import("spin");
            PyObject.CreateModule("spin_off", "import spin\nspin.SpinCheck.check = lambda self, instance: self.gauge('spin.quick', 1)\n").Dispose();
        }

        var next = check.RunAsync().GetAwaiter().GetResult();
        Assert.That(next.Succeeded, Is.True, next.Error);
        Assert.That(next.Interrupted, Is.False);
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void RunAsync_CancelledAfterTheRunEnded_DoesNotTouchTheNextRun(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("quick", """
            from datadog_checks.base import AgentCheck

            class QuickCheck(AgentCheck):
                def check(self, instance):
                    total = 0
                    for i in range(200000):
                        total += i
                    self.gauge('quick.total', total)
            """).Config("quick", "instances: [{}]");
        using var host = folder.Start([]);
        using var check = CheckFolder.LoadAll(host).Single();

        for (int i = 0; i < 20; i++)
        {
            using var cancel = new CancellationTokenSource();
            var result = check.RunAsync(cancel.Token).GetAwaiter().GetResult();
            cancel.Cancel();
            Assert.That(result.Succeeded, Is.True, result.Error);
        }

        // Had a cancel reached a finished run, its interrupt would be a thread-pool item (queued inside Cancel(), which
        // runs the token's callbacks) that takes the GIL and raises. Once the pool has taken every queued item, such an
        // interrupt is waiting for the GIL, and the runs below hand it over within a switch interval: it cannot miss them.
        Eventually.That(() => ThreadPool.PendingWorkItemCount == 0, "the thread pool to take every queued item");
        for (int i = 0; i < 20; i++)
        {
            var result = check.RunAsync().GetAwaiter().GetResult();
            Assert.That(result.Succeeded, Is.True, $"a late interrupt reached run {i}: {result.Error}");
        }
    });
}
