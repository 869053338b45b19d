using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Reliability;

/// <summary>
/// Checks that keep the GIL busy — one CPU-bound, one starting 1,000 threads that spin — do not make innocent checks
/// time out: a run's timeout starts when it has the GIL, its GIL wait is reported, and a run that overruns only for want
/// of the GIL is not called stuck in C and gets no stand-in worker.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class GilContentionTests
{
    private const string Hog = """
        from datadog_checks.base import AgentCheck

        class HogCheck(AgentCheck):
            def check(self, instance):
                while True:
                    pass
        """;

    private const string Swarm = """
        import _thread
        from datadog_checks.base import AgentCheck

        state = {'spinning': 0, 'stop': False, 'started': False}
        gate = _thread.allocate_lock()

        def spin():
            # Blocked on the gate, a thread does not compete for the GIL: starting 1,000 stays quick.
            with gate:
                pass
            state['spinning'] += 1
            while not state['stop']:
                pass

        def stop():
            state['stop'] = True

        class SwarmCheck(AgentCheck):
            def check(self, instance):
                if not state['started']:
                    state['started'] = True
                    # Released even when an interrupt lands in the loop: threads already started then spin.
                    gate.acquire()
                    try:
                        for _ in range(1000):
                            _thread.start_new_thread(spin, ())
                    finally:
                        gate.release()
                self.gauge('swarm.spinning', state['spinning'])
        """;

    private const string Innocent = """
        import sys
        from datadog_checks.base import AgentCheck

        class InnocentCheck(AgentCheck):
            def check(self, instance):
                self.gauge('innocent.sum', sum(i * i for i in range(2000)))
                self.gauge('innocent.switch_interval', sys.getswitchinterval())
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    [NonParallelizable] // 1,001 busy threads: beside other tests on two cores, the figures would say more about the machine
    public void InnocentCheck_BesideACpuBoundCheckAndAThousandSpinningThreads_NeverTimesOut_AndReportsItsGilWait(PythonInstall install) => Isolated.Run(install, static () =>
    {
        const int Runs = 6;
        var timeout = TimeSpan.FromSeconds(2);
        var gilWaits = new ConcurrentQueue<double>();
        var durations = new ConcurrentQueue<double>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PyChecksTelemetry.MeterName && instrument.Name is PyChecksTelemetry.CheckGilWait or PyChecksTelemetry.CheckDuration)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "check", Value: "innocent" })
                {
                    (instrument.Name == PyChecksTelemetry.CheckGilWait ? gilWaits : durations).Enqueue(value);
                }
            }
        });
        meters.Start();

        var folder = new CheckFolder()
            .Check("hog", Hog).Config("hog", "instances:\n  - min_collection_interval: 1\n    run_timeout: 0.5\n")
            .Check("swarm", Swarm).Config("swarm", "instances:\n  - min_collection_interval: 1\n    run_timeout: 30\n")
            .Check("innocent", Innocent).Config("innocent", $"instances:\n  - min_collection_interval: 1\n    run_timeout: {timeout.TotalSeconds}\n");
        var logs = new RecordingLoggerProvider();
        using var hosted = HostedChecks.Start(folder, o => o.StuckRunGrace = TimeSpan.FromSeconds(0.5), fakeTime: false, services: s => s.AddSingleton<ILoggerProvider>(logs));
        var runtime = hosted.Host.Services.GetRequiredService<PythonRuntime>();
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Eventually.That(() => hosted.Sender.Metrics.Any(m => m.Name == "swarm.spinning" && m.Value >= 20), "the swarm's threads spin (they start one GIL turn at a time)", seconds: 60);
            var spun = clock.Elapsed;
            int before = hosted.CommitsOf("innocent");
            Eventually.That(() => hosted.CommitsOf("innocent") >= before + Runs, $"{Runs} more innocent runs", seconds: 90);

            var innocent = hosted.StatusOf("innocent");
            var interval = TimeSpan.FromSeconds(hosted.Sender.Metrics.First(m => m.Name == "innocent.switch_interval").Value);
            double spinning = hosted.Sender.Metrics.Last(m => m.Name == "swarm.spinning").Value;
            double[] waits = [.. gilWaits];
            double[] runs = [.. durations];
            int wouldHaveTimedOut = waits.Zip(runs).Count(r => r.First + r.Second > timeout.TotalSeconds);
            Console.Out.WriteLine(
                Isolated.FigurePrefix +
                $"{runs.Length} innocent runs beside the hog and {spinning} spinning threads (switch interval {interval.TotalMilliseconds} ms): " +
                $"GIL wait {string.Join(", ", waits.Select(w => $"{w:0.000}"))} s; run {string.Join(", ", runs.Select(d => $"{d:0.000}"))} s; " +
                $"{wouldHaveTimedOut} would have timed out if the wait counted; timeouts {innocent.TotalTimeouts}; spun after {spun.TotalSeconds:0.0} s, runs after {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Multiple(() =>
            {
                Assert.That(innocent.TotalTimeouts, Is.Zero, "GIL waits are not part of the timeout");
                Assert.That(innocent.TotalErrors, Is.Zero, innocent.LastError);
                Assert.That(innocent.MaxGilWait, Is.GreaterThan(TimeSpan.Zero), "the wait behind the hog and the swarm is measured");
                Assert.That(innocent.MaxGilWait.TotalSeconds, Is.EqualTo(waits.Max()).Within(1e-9), "status and telemetry agree");

                // The switch interval bounds each waiter's turn, not the queue: a run waits about one interval per thread
                // ahead of it. 1,000 spinning threads and the hog make that 1,001 intervals (~5 s), doubled for a loaded
                // machine: finite, which is what CPython offers; the timeout no longer pays for it.
                Assert.That(innocent.MaxGilWait, Is.LessThan((interval * 1001 * 2) + TimeSpan.FromSeconds(1)), "a run gets the GIL in bounded time");
                Assert.That(runtime.Workers.CompensatingWorkers, Is.Zero, "no stand-in worker for runs that only wait for the GIL");
                Assert.That(hosted.StatusOf("hog").LastOutcome, Is.EqualTo(CheckRunOutcome.TimedOut), "the hog itself is still interrupted");
                Assert.That(logs.Entries.Select(e => e.Message), Has.None.Contains("blocked in C"), "waiting for the GIL is not called blocked in C");
            });
        }
        finally
        {
            using (runtime.AcquireGil())
            {
                using var swarm = PyObject.Import("swarm");
                swarm.CallMethod("stop").Dispose();
            }
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void RunPastItsTimeout_WhileAnotherThreadHoldsTheGil_IsWaitingForTheGil_NotStuck_AndEndsWhenItGetsIt(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("spinner", """
            from datadog_checks.base import AgentCheck

            class SpinnerCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('spinner.started', 1)
                    while True:
                        pass
            """).Config("spinner", "instances:\n  - min_collection_interval: 60\n    run_timeout: 1\n");
        var logs = new RecordingLoggerProvider();
        using var hosted = HostedChecks.Start(folder, o => o.StuckRunGrace = TimeSpan.FromSeconds(1), services: s => s.AddSingleton<ILoggerProvider>(logs));
        var runtime = hosted.Host.Services.GetRequiredService<PythonRuntime>();
        Eventually.That(() => hosted.Sender.Metrics.Any(m => m.Name == "spinner.started"), "the run spins in Python");

        // Another thread takes the GIL (the spinning run yields it after one switch interval) and keeps it.
        using var holding = new ManualResetEventSlim();
        using var letGo = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            using (runtime.AcquireGil())
            {
                holding.Set();
                letGo.Wait();
            }
        });
        holder.Start();
        holding.Wait();
        try
        {
            // Past the timeout, the interrupt waits for the GIL; past the grace period, the run is judged.
            Step(hosted, () => logs.Entries.Any(e => e.Message.Contains("for the GIL held by other threads", StringComparison.Ordinal)), "the overrun is put down to the GIL");
            Assert.That(hosted.StatusOf("spinner").State, Is.EqualTo(CheckState.Running), "not stuck");
            Assert.That(runtime.Workers.CompensatingWorkers, Is.Zero, "no stand-in: it would wait for the GIL too");
        }
        finally
        {
            letGo.Set();
            holder.Join();
        }

        // The GIL is free: the interrupt is raised and lands at the run's next bytecode.
        Eventually.That(() => hosted.StatusOf("spinner").TotalTimeouts == 1, "the run ends, interrupted");
        Eventually.That(() => logs.Entries.Any(e => e.Message.Contains("and was interrupted; the interrupt waited", StringComparison.Ordinal)), "the completion log names the GIL wait");
        var status = hosted.StatusOf("spinner");
        Assert.That(status.LastOutcome, Is.EqualTo(CheckRunOutcome.TimedOut));
        Assert.That(status.LastTraceback, Does.Contain("CheckInterrupt"));
        Assert.That(runtime.Workers.CompensatingWorkers, Is.Zero);
        Assert.That(logs.Entries.Select(e => e.Message), Has.None.Contains("blocked in C").And.None.Contains("is stuck"), "never called stuck");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void StuckRuns_BeyondMaxStandInWorkers_ReportTheLimitOncePerEpisode(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("blocked", """
            import select
            from datadog_checks.base import AgentCheck

            class BlockedCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('blocked.started', 1, tags=['n:' + str(instance['n'])])
                    select.select([], [], [], 3600)
            """).Config("blocked", """
            instances:
              - n: 1
                min_collection_interval: 60
                run_timeout: 1
              - n: 2
                min_collection_interval: 60
                run_timeout: 1
              - n: 3
                min_collection_interval: 60
                run_timeout: 1
            """);
        var logs = new RecordingLoggerProvider();
        using var hosted = HostedChecks.Start(folder, o => { o.StuckRunGrace = TimeSpan.FromSeconds(1); o.MaxStandInWorkers = 1; }, services: s => s.AddSingleton<ILoggerProvider>(logs));
        var workers = hosted.Host.Services.GetRequiredService<PythonRuntime>().Workers;

        // Two workers: runs 1 and 2 block; 3 waits for a worker, which the stand-in for the first stuck run gives it.
        Eventually.That(() => hosted.Sender.Metrics.Count(m => m.Name == "blocked.started") == 2, "two runs blocked in C");
        Step(hosted, () => hosted.Status.GetAll().Count(s => s.State == CheckState.Stuck) == 2, "both stuck");
        Eventually.That(() => hosted.Sender.Metrics.Count(m => m.Name == "blocked.started") == 3, "the third runs on the only stand-in");
        Step(hosted, () => hosted.Status.GetAll().Count(s => s.State == CheckState.Stuck) == 3, "all three stuck");

        Assert.That(workers.CompensatingWorkers, Is.EqualTo(1), "the limit holds");
        Assert.That(workers.StandInLimitEpisodes, Is.EqualTo(1), "one episode at the limit");
        Eventually.That(() => logs.Entries.Count(e => e.Message.Contains("is stuck: still running", StringComparison.Ordinal)) == 3, "three stuck runs logged");
        var reports = logs.Entries.Where(e => e.Message.Contains("stand-in worker(s) is reached", StringComparison.Ordinal)).ToList();
        Assert.That(reports, Has.Count.EqualTo(1), "reported once, though two runs got no stand-in");
        Assert.That(reports[0].Level, Is.EqualTo(LogLevel.Error));
    });

    /// <summary>Moves the fake clock 100 ms at a time until <paramref name="condition"/> holds (at most 10 s of it).</summary>
    private static void Step(HostedChecks hosted, Func<bool> condition, string what)
    {
        var stepped = TimeSpan.Zero;
        Eventually.That(
            () =>
            {
                if (condition())
                {
                    return true;
                }

                if (stepped < TimeSpan.FromSeconds(10))
                {
                    hosted.Advance(TimeSpan.FromMilliseconds(100));
                    stepped += TimeSpan.FromMilliseconds(100);
                }

                return false;
            },
            what);
    }
}
