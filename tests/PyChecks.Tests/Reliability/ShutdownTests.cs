using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Reliability;

/// <summary>
/// A host stopped while 50 check instances run — busy Python loops, sleeps blocked in C, short checks — stops within
/// its shutdown timeout, gives up Python's finalization within the runtime's, and the process exits normally; a
/// shutdown that gave up is not waited for again.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class ShutdownTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void StopAsync_With50ChecksRunning_SomeBlockedInC_CompletesWithinTheShutdownTimeout_AndDisposeIsBounded(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("load", """
            import time
            from datadog_checks.base import AgentCheck

            class LoadCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('load.started', 1, tags=['kind:' + instance['kind']])
                    if instance['kind'] == 'spin':
                        while True:
                            pass
                    elif instance['kind'] == 'sleep':
                        time.sleep(3600)
                    else:
                        time.sleep(0.01)
            """).Config("load", "instances:\n" + string.Join("\n", Enumerable.Range(0, 50).Select(i =>
                $"  - {{name: i{i}, kind: {(i % 5) switch { 0 or 1 => "spin", 2 or 3 => "sleep", _ => "short" }}, min_collection_interval: {(i % 5 == 4 ? 1 : 3600)}}}")));
        var logs = new RecordingLoggerProvider();
        var hosted = HostedChecks.Start(
            folder,
            o =>
            {
                o.Python.WorkerCount = 50;
                o.Python.ShutdownTimeout = TimeSpan.FromSeconds(5);
            },
            fakeTime: false,
            services: s => s.AddSingleton<ILoggerProvider>(logs));

        Eventually.That(
            () => hosted.Sender.Metrics.Count(m => m.Name == "load.started") >= 50,
            "all 50 instances started: 20 spinning, 20 sleeping in C, 10 short ones",
            seconds: 60);
        Eventually.That(() => hosted.Status.GetAll().Count(s => s.State == CheckState.Running) >= 40, "the 40 long runs in progress");

        var clock = Stopwatch.StartNew();
        hosted.Host.StopAsync().GetAwaiter().GetResult();
        var stopped = clock.Elapsed;
        var statuses = hosted.Status.GetAll();
        hosted.Host.Dispose();
        var disposed = clock.Elapsed - stopped;

        Assert.That(stopped, Is.LessThan(TimeSpan.FromSeconds(5 + 5)), "StopAsync within the host's 5 s shutdown timeout (and a margin)");
        Assert.That(disposed, Is.LessThan(TimeSpan.FromSeconds(5 + 5)), "disposing the host gives up finalization after the runtime's 5 s shutdown timeout (and a margin)");
        Assert.That(statuses, Has.Count.EqualTo(50));
        Assert.That(statuses.Select(s => s.State), Is.All.EqualTo(CheckState.Stopped));
        Assert.That(statuses.Sum(s => s.TotalCancelled), Is.GreaterThanOrEqualTo(20), "the spinning runs were interrupted");
        Assert.That(
            logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message),
            Has.Some.Matches<string>(m => m.StartsWith("Python was not finalized within the shutdown timeout of 00:00:05: ", StringComparison.Ordinal)
                && m.Contains("thread(s) still hold a GIL scope: a Python worker thread is still running a check", StringComparison.Ordinal)));
        Console.WriteLine($"stopped in {stopped.TotalSeconds:0.0} s, disposed in {disposed.TotalSeconds:0.0} s; the process now exits");
    }, timeout: TimeSpan.FromMinutes(4));

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void StopAsync_WhenACheckCancelNeverReturns_StillCompletesWithinTheShutdownTimeout(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("stubborn", """
            import threading, time
            from datadog_checks.base import AgentCheck

            class StubbornCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('stubborn.ran', 1)

                def cancel(self):
                    threading.Event().wait()  # joins something that never ends
            """).Config("stubborn", "instances: [{}]\n").Check("polite", """
            from datadog_checks.base import AgentCheck

            class PoliteCheck(AgentCheck):
                cancelled = 0

                def check(self, instance):
                    self.gauge('polite.ran', 1)

                def cancel(self):
                    PoliteCheck.cancelled += 1
            """).Config("polite", "instances: [{}]\n");
        var hosted = HostedChecks.Start(folder, fakeTime: false);
        Eventually.That(() => hosted.Sender.Commits.Count == 2, "both checks ran");

        var clock = Stopwatch.StartNew();
        hosted.Host.StopAsync().GetAwaiter().GetResult();
        var stopped = clock.Elapsed;
        hosted.Host.Dispose();
        var disposed = clock.Elapsed - stopped;

        Assert.That(stopped, Is.LessThan(TimeSpan.FromSeconds(5 + 5)), "StopAsync within the host's 5 s shutdown timeout (and a margin), though a cancel() never returns");
        Assert.That(disposed, Is.LessThan(TimeSpan.FromSeconds(5 + 5)), "and disposing the host gives up on Python after the runtime's 5 s");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ASecondShutdown_AfterTheFirstGaveUp_ReturnsAtOnce_InsteadOfWaitingItsWholeBudgetAgain(PythonInstall install) => Isolated.Run(install, static () =>
    {
        // With AddPyChecks the container disposes both the PythonRuntime and the CheckHost that owns it: two shutdowns.
        var runtime = ChildPython.Initialize();
        using (runtime.AcquireGil())
        {
            using var module = PyObject.CreateModule("stuck", """
                import threading, time
                threading.Thread(target=time.sleep, args=(3600,), daemon=False).start()
                """);
        }

        Assert.That(runtime.Shutdown(TimeSpan.FromSeconds(1)), Is.False);
        var clock = Stopwatch.StartNew();
        bool second = runtime.Shutdown(TimeSpan.FromSeconds(60));
        clock.Stop();
        Assert.That(second, Is.False, "still not finalized");
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "not another 60 s");
    });
}
