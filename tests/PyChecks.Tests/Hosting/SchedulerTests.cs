using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Hosting;

/// <summary>The scheduler on a fake clock: intervals, start jitter, skip-when-busy, timeouts that interrupt Python, stuck runs that do not stall others.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SchedulerTests
{
    private const string CountingCheck = """
        from datadog_checks.base import AgentCheck

        class CountingCheck(AgentCheck):
            runs = 0

            def check(self, instance):
                CountingCheck.runs += 1
                self.gauge('counting.runs', CountingCheck.runs)
        """;

    // Due every second: it wakes the scheduler's loop at each step of the fake clock, so the test can wait for the loop
    // to have seen a time (HostedChecks.WaitForSchedulerAt) before asserting that nothing else was due then.
    private const string TickCheck = """
        from datadog_checks.base import AgentCheck

        class TickCheck(AgentCheck):
            def check(self, instance):
                pass
        """;

    private const string TickConfig = """
        instances:
          - min_collection_interval: 1
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Scheduler_RunsEachInstanceAtItsInterval(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("counting", CountingCheck).Config("counting", """
            instances:
              - min_collection_interval: 10
            """).Check("tick", TickCheck).Config("tick", TickConfig);
        using var hosted = HostedChecks.Start(folder);

        Eventually.That(() => hosted.CommitsOf("counting") == 1, "the first run, due at start");
        hosted.Advance(TimeSpan.FromSeconds(9));
        hosted.WaitForSchedulerAt(TimeSpan.FromSeconds(9));
        Assert.That(hosted.StatusOf("counting").LastRunStartedAt, Is.EqualTo(hosted.Time!.Start), "no run started before the interval is up");
        Assert.That(hosted.CommitsOf("counting"), Is.EqualTo(1));
        hosted.Advance(TimeSpan.FromSeconds(1));
        Eventually.That(() => hosted.CommitsOf("counting") == 2, "the second run, 10 s after the first");
        hosted.Advance(TimeSpan.FromSeconds(10));
        Eventually.That(() => hosted.CommitsOf("counting") == 3, "the third run");
        Eventually.That(() => hosted.StatusOf("counting").TotalRuns == 3, "three runs in the status");

        var status = hosted.StatusOf("counting");
        Assert.That(status.TotalSkipped, Is.Zero);
        Assert.That(status.LastOutcome, Is.EqualTo(CheckRunOutcome.Ok));
        Assert.That(status.LastRunStartedAt, Is.EqualTo(new DateTimeOffset(2026, 1, 1, 0, 0, 20, TimeSpan.Zero)), "start times come from the scheduler's TimeProvider");
        Assert.That(hosted.Sender.Metrics.Where(m => m.Name == "counting.runs").Select(m => m.Value), Is.EqualTo(new[] { 1.0, 2.0, 3.0 }));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void StartJitter_SpreadsFirstRunsWithinTheLimit(PythonInstall install) => Isolated.Run(install, static () =>
    {
        string instances = string.Join("\n", Enumerable.Range(1, 40).Select(i => $"  - name: i{i}\n    min_collection_interval: 60"));
        var folder = new CheckFolder().Check("counting", CountingCheck).Config("counting", "instances:\n" + instances)
            .Check("tick", TickCheck).Config("tick", TickConfig);
        using var hosted = HostedChecks.Start(folder, o => o.MaxStartJitter = TimeSpan.FromSeconds(5));

        int Runs() => hosted.CommitsOf("counting");
        List<CheckStatus> Counting() => [.. hosted.Status.GetAll().Where(s => s.CheckName == "counting")];
        hosted.WaitForSchedulerAt(TimeSpan.Zero);
        int atStart = Counting().Count(s => s.LastRunStartedAt is not null);
        Assert.That(atStart, Is.LessThan(40), "the first runs are spread, not all at start");
        for (int second = 1; second <= 5; second++)
        {
            hosted.Advance(TimeSpan.FromSeconds(1));
        }

        // A tick falls due in every second, so the loop sees 5 s: by then every first run (at most 5 s) has started.
        hosted.WaitForSchedulerAt(TimeSpan.FromSeconds(5));
        Eventually.That(() => Runs() == 40, "every instance ran once within the 5 s jitter limit");
        Eventually.That(() => Counting().All(s => s.State == CheckState.Scheduled), "no run in progress");
        Assert.That(Counting().Select(s => s.TotalRuns), Is.All.EqualTo(1), "and only once");
        Assert.That(Counting().Select(s => s.LastRunStartedAt), Is.All.InRange(hosted.Time!.Start, hosted.Time.Start + TimeSpan.FromSeconds(5)));
        Assert.That(Runs(), Is.EqualTo(40));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void BusyInstance_SkipsItsDueRunsAndCountsThem_WithoutQueueing(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("gate", """
            import threading
            from datadog_checks.base import AgentCheck

            release = threading.Event()

            class GateCheck(AgentCheck):
                def check(self, instance):
                    release.wait(30)
                    release.clear()
                    self.gauge('gate.passed', 1)
            """).Config("gate", """
            instances:
              - min_collection_interval: 1
                run_timeout: 3600
            """);
        using var hosted = HostedChecks.Start(folder);
        var runtime = hosted.Host.Services.GetRequiredService<PythonRuntime>();

        Eventually.That(() => hosted.StatusOf("gate").State == CheckState.Running, "the first run, waiting at the gate");
        for (int i = 1; i <= 3; i++)
        {
            hosted.Advance(TimeSpan.FromSeconds(1));
            int expected = i;
            Eventually.That(() => hosted.StatusOf("gate").TotalSkipped == expected, $"{expected} skipped run(s)");
        }

        using (runtime.AcquireGil())
        {
            using var module = PyObject.Import("gate");
            using var release = module.GetAttr("release");
            release.CallMethod("set").Dispose();
        }

        Eventually.That(() => hosted.StatusOf("gate").TotalRuns == 1, "the first run, released");
        hosted.WaitUntilIdle("gate");

        // A run queued behind the first would now wait at the gate: the run due at 4 s would find it busy and be skipped.
        hosted.Advance(TimeSpan.FromSeconds(1));
        hosted.WaitForSchedulerAt(TimeSpan.FromSeconds(4));
        var status = hosted.StatusOf("gate");
        Assert.That(status.TotalSkipped, Is.EqualTo(3), "the skipped runs were not queued behind it");
        Assert.That(status.State, Is.EqualTo(CheckState.Running));
        Assert.That(status.LastRunStartedAt, Is.EqualTo(hosted.Time!.Start + TimeSpan.FromSeconds(4)), "the run due at 4 s started");
        Assert.That(hosted.CommitsOf("gate"), Is.EqualTo(1));

        using (runtime.AcquireGil())
        {
            using var module = PyObject.Import("gate");
            using var release = module.GetAttr("release");
            release.CallMethod("set").Dispose();
        }

        Eventually.That(() => hosted.StatusOf("gate").TotalRuns == 2, "the second run, released");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Timeout_InterruptsABusyLoop_AndMarksTheRunTimedOut(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("spin", """
            from datadog_checks.base import AgentCheck

            class SpinCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('spin.started', 1)
                    try:
                        while True:
                            pass
                    except Exception:
                        self.gauge('spin.swallowed', 1)
            """).Check("counting", CountingCheck).Config("spin", """
            instances:
              - min_collection_interval: 60
                run_timeout: 5
            """).Config("counting", """
            instances:
              - min_collection_interval: 60
            """);
        using var hosted = HostedChecks.Start(folder);

        Eventually.That(() => hosted.Sender.Metrics.Any(m => m.Name == "spin.started"), "the spinning run, in its loop");
        Eventually.That(() => hosted.CommitsOf("counting") == 1, "the other check runs on the other worker");
        hosted.Advance(TimeSpan.FromSeconds(5));
        Eventually.That(() => hosted.StatusOf("spin").TotalTimeouts == 1, "the run timed out");

        var status = hosted.StatusOf("spin");
        Assert.That(status.LastOutcome, Is.EqualTo(CheckRunOutcome.TimedOut));
        Assert.That(status.State, Is.EqualTo(CheckState.Scheduled));
        Assert.That(status.LastError, Does.StartWith("the run took longer than its timeout of 0:00:05 and was interrupted"));
        Assert.That(status.LastTraceback, Does.Contain("while True").Or.Contain("pass"), "the traceback shows where the check was interrupted");
        Assert.That(status.LastTraceback, Does.Contain("CheckInterrupt"));
        Assert.That(hosted.Sender.Metrics.Select(m => m.Name), Has.No.Member("spin.swallowed"), "'except Exception' does not swallow the interrupt");
        Assert.That(hosted.Sender.Commits.Single(c => c.CheckName == "spin").Succeeded, Is.False, "the samples before the interrupt are committed, as a failed run");

        hosted.WaitUntilIdle("spin");
        hosted.WaitUntilIdle("counting");
        hosted.Advance(TimeSpan.FromSeconds(55));
        Eventually.That(() => hosted.CommitsOf("counting") == 2, "the other check keeps its schedule");
        Eventually.That(() => hosted.Sender.Metrics.Count(m => m.Name == "spin.started") == 2, "the next spinning run starts on time");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void RunBlockedInC_IsReportedStuck_AndOtherChecksKeepRunningOnAStandInWorker(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("sleepy", """
            import time
            from datadog_checks.base import AgentCheck

            class SleepyCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('sleepy.started', 1)
                    time.sleep(8)
            """).Check("counting", CountingCheck).Config("sleepy", """
            instances:
              - min_collection_interval: 5
                run_timeout: 1
            """).Config("counting", """
            instances:
              - min_collection_interval: 5
            """);
        using var hosted = HostedChecks.Start(folder, o =>
        {
            o.Python.WorkerCount = 1;
            o.StuckRunGrace = TimeSpan.FromSeconds(1);
        });
        var workers = hosted.Host.Services.GetRequiredService<PythonRuntime>().Workers;

        Eventually.That(() => hosted.Sender.Metrics.Any(m => m.Name == "sleepy.started"), "the sleeping run, in its sleep");
        // Timeout at 1 s, interrupt (which cannot land in C), stuck at 2 s: step the clock until the scheduler says so.
        var stepped = TimeSpan.Zero;
        Eventually.That(
            () =>
            {
                if (hosted.StatusOf("sleepy").State == CheckState.Stuck)
                {
                    return true;
                }

                if (stepped < TimeSpan.FromSeconds(4))
                {
                    hosted.Advance(TimeSpan.FromMilliseconds(100));
                    stepped += TimeSpan.FromMilliseconds(100);
                }

                return false;
            },
            "reported stuck after the timeout and the grace period");
        Assert.That(stepped, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2)), "not before timeout + grace");
        Assert.That(workers.CompensatingWorkers, Is.EqualTo(1), "a stand-in worker took its place");

        hosted.Advance(TimeSpan.FromSeconds(5) - stepped);
        Eventually.That(() => hosted.CommitsOf("counting") == 2, "the other check ran twice despite the only worker being stuck");
        Eventually.That(() => hosted.StatusOf("sleepy").TotalSkipped >= 1, "the stuck check's due run is skipped");
        Assert.That(hosted.StatusOf("sleepy").State, Is.EqualTo(CheckState.Stuck));

        Eventually.That(() => hosted.StatusOf("sleepy").TotalTimeouts == 1, "the sleep returns, the interrupt lands, the run ends timed out", seconds: 20);
        Eventually.That(() => workers.CompensatingWorkers == 0, "the stand-in is released");
    }, timeout: TimeSpan.FromMinutes(2));

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void Cancel_InterruptsTheCurrentRun_AndCountsItCancelled(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("spin", """
            from datadog_checks.base import AgentCheck

            class SpinCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('spin.started', 1)
                    while True:
                        pass
            """).Config("spin", """
            instances:
              - min_collection_interval: 60
            """);
        using var hosted = HostedChecks.Start(folder);

        Eventually.That(() => hosted.Sender.Metrics.Any(m => m.Name == "spin.started"), "the spinning run, in its loop");
        string id = hosted.StatusOf("spin").CheckId;
        Assert.That(hosted.Scheduler.Cancel("spin:nope"), Is.EqualTo(CheckCancelResult.NotFound));
        Assert.That(hosted.Scheduler.Cancel(id), Is.EqualTo(CheckCancelResult.Interrupted));
        Eventually.That(() => hosted.StatusOf("spin").TotalCancelled == 1, "the run was cancelled");
        Assert.That(hosted.StatusOf("spin").LastOutcome, Is.EqualTo(CheckRunOutcome.Cancelled));
        Assert.That(hosted.Scheduler.Cancel(id), Is.EqualTo(CheckCancelResult.NotRunning), "nothing left to cancel");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void StopAsync_WhileChecksSpin_InterruptsThemAndCompletesPromptly(PythonInstall install) => Isolated.Run(install, static () =>
    {
        string instances = string.Join("\n", Enumerable.Range(1, 10).Select(i => $"  - name: s{i}"));
        var folder = new CheckFolder().Check("spin", """
            from datadog_checks.base import AgentCheck

            class SpinCheck(AgentCheck):
                cancelled = 0

                def check(self, instance):
                    while True:
                        pass

                def cancel(self):
                    SpinCheck.cancelled += 1
            """).Config("spin", "instances:\n" + instances);
        var hosted = HostedChecks.Start(folder, o => o.Python.WorkerCount = 4);
        Eventually.That(() => hosted.Status.GetAll().Count(s => s.State == CheckState.Running) == 10, "ten runs: four spinning, six waiting for a worker");

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        hosted.Host.StopAsync().GetAwaiter().GetResult();
        stopwatch.Stop();

        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(4)), "within the 5 s shutdown timeout");
        Assert.That(hosted.Status.GetAll().Select(s => s.State), Is.All.EqualTo(CheckState.Stopped));
        Assert.That(hosted.Status.GetAll().Sum(s => s.TotalCancelled), Is.EqualTo(10), "four interrupted, six cancelled before they started");
        using (hosted.Host.Services.GetRequiredService<PythonRuntime>().AcquireGil())
        {
            using var module = PyObject.Import("spin");
            using var cls = module.GetAttr("SpinCheck");
            using var cancelled = cls.GetAttr("cancelled");
            Assert.That(cancelled.As<long>(), Is.EqualTo(10), "every instance's cancel() was called");
        }

        hosted.Host.Dispose();
    });
}
