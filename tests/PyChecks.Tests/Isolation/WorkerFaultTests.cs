using System.Diagnostics;
using System.Diagnostics.Metrics;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Isolation;

/// <summary>
/// Every way a worker process can end — a segfault, <c>abort()</c>, <c>_exit()</c> from C, SIGKILL from outside, its
/// memory limit, a run stuck in C past its timeout — ends only that worker: the run fails saying how, what the check
/// submitted before the fault reaches the senders with a commit marked failed, checks in process and in the other
/// worker keep running, the worker comes back, and a check that keeps crashing it is quarantined.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class WorkerFaultTests
{
    // 1,000 samples (about 50 KiB, so at least one frame was sent and the rest was still in the journal), then the fault.
    internal const string CrashCheck = """
        import ctypes, os, time
        from datadog_checks.base import AgentCheck

        class CrashCheck(AgentCheck):
            def check(self, instance):
                for i in range(1000):
                    self.gauge('crash.before', i, tags=['i:%04d' % i, 'padding:' + 'x' * 24])
                how = instance['how']
                with open(instance['pid_file'], 'w') as f:
                    f.write(str(os.getpid()))
                if how == 'segfault':
                    ctypes.string_at(0)
                elif how == 'abort':
                    ctypes.CDLL(None).abort()
                elif how == 'exit':
                    ctypes.CDLL(None)._exit(3)
                elif how == 'sigkill':
                    time.sleep(60)
                elif how == 'memory':
                    hog = []
                    for _ in range(200):
                        hog.append(b'x' * (16 << 20))
                        time.sleep(0.02)
                elif how == 'stuck':
                    ctypes.CDLL(None).sleep(60)
                self.gauge('crash.after', 1)
        """;

    internal const string SteadyCheck = """
        import os
        from datadog_checks.base import AgentCheck

        class SteadyCheck(AgentCheck):
            def check(self, instance):
                self.gauge('steady.pid', os.getpid())
        """;

    public static IEnumerable<TestCaseData> Cases() =>
        from install in PythonInstall.All
        from fault in new[] { ("segfault", "signal SIGSEGV"), ("abort", "signal SIGABRT"), ("exit", "exited with code 3"), ("sigkill", "signal SIGKILL"), ("memory", "passed the limit of 200 MiB"), ("stuck", "stuck in C code") }
        select new TestCaseData(install, fault.Item1, fault.Item2).SetArgDisplayNames(install.Label, fault.Item1);

    // A new worker loads each of its instances again before their next run: an instance that no longer loads there fails
    // that run saying so, as a load error (the worker started), not as a worker that could not be started.
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.ReferenceCases))]
    public void ARunWhoseCheckNoLongerLoadsInItsNewWorker_FailsWithTheLoadError_NotAsAStartFailure(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("reloaded", SteadyCheck).Config("reloaded", "instances:\n  - {isolation: process}\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender], o =>
        {
            o.WorkerProcesses.Count = 1;
            o.WorkerProcesses.MaxRestartDelay = TimeSpan.Zero;
        });
        var check = CheckFolder.LoadAll(host).Single();
        Assert.That(check.RunAsync().GetAwaiter().GetResult().Error, Is.Null);

        // Its file breaks after it was loaded, then its worker is lost.
        folder.Check("reloaded", "raise RuntimeError('broken since it was loaded')\n");
        using (var worker = Process.GetProcessById((int)sender.Metrics.Single(m => m.Name == "steady.pid").Value))
        {
            worker.Kill();
        }

        Eventually.That(() => host.GetWorkerProcesses()[0].Restarts == 1, "the host saw its worker end");
        var result = check.RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Error, Does.StartWith("the check did not load again in its new worker process (pid ").And.Contain("broken since it was loaded"));
        Assert.That(result.Error, Does.Not.Contain("could not be started"), "the new worker started; only the instance did not load into it");
        Assert.That(host.GetWorkerProcesses()[0].ProcessId, Is.Not.Null, "the new worker runs on");
    });

    [TestCaseSource(nameof(Cases))]
    public void AFaultEndsOnlyItsWorker_NothingSubmittedBeforeItIsLost_TheWorkerComesBack(PythonInstall install, string how, string expected) => Isolated.Run(
        install,
        static () =>
        {
            string how = Environment.GetEnvironmentVariable("FAULT")!;
            string expected = Environment.GetEnvironmentVariable("EXPECTED")!;
            var folder = new CheckFolder();
            string pidFile = Path.Combine(folder.Root, "pid");
            folder.Check("crash", CrashCheck).Config("crash", $$"""
                instances:
                  - {how: {{how}}, pid_file: '{{pidFile}}', isolation: process}
                """).Check("steady", SteadyCheck).Config("steady", """
                instances:
                  - {isolation: process}
                  - {isolation: in_process}
                """);
            var sender = new InMemorySender();
            using var host = folder.Start([sender], o =>
            {
                o.WorkerProcesses.Count = 2;
                o.WorkerProcesses.MemoryLimitMiB = 200;
                o.WorkerProcesses.MaxRestartDelay = TimeSpan.FromMilliseconds(200);
                o.StuckRunGrace = TimeSpan.FromSeconds(1);
            });
            var checks = CheckFolder.LoadAll(host);
            var crash = checks.Single(c => c.Name == "crash");
            var steady = checks.Where(c => c.Name == "steady").ToList();

            CheckRunResult RunCrash()
            {
                // The stuck case's 1 s timeout is the run's, not the worker's start after the last loss.
                Eventually.That(() => host.GetWorkerProcesses().All(w => w.ProcessId is not null), "both workers running", seconds: 60);
                File.Delete(pidFile);

                // The run's timeout counts from the request, through its worker's restart and the check's reload there: the
                // worker is waited for first, and the stuck run has 3 s, so that a slow restart on a busy machine does not
                // end the run before it reached its worker.
                Eventually.That(() => host.GetWorkerProcesses().All(static w => w.Checks == 0 || w.ProcessId is not null), "every worker with checks runs");
                using var timeout = new CancellationTokenSource(how == "stuck" ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(60));
                var run = crash.RunAsync(timeout.Token);
                if (how == "sigkill")
                {
                    Eventually.That(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Length > 0, "the check wrote its pid");
                    Process.GetProcessById(int.Parse(File.ReadAllText(pidFile), System.Globalization.CultureInfo.InvariantCulture)).Kill();
                }

                Assert.That(run.Wait(TimeSpan.FromSeconds(60)), Is.True, "the run ended");
                return run.Result;
            }

            int? lastPid = null;
            for (int attempt = 1; attempt <= 3; attempt++)
            {
                var result = RunCrash();
                Assert.That(result.Succeeded, Is.False);
                Assert.That(result.Error, Does.Contain(expected), "the run says how its worker ended");
                int pid = int.Parse(File.ReadAllText(pidFile), System.Globalization.CultureInfo.InvariantCulture);
                Assert.That(pid, Is.Not.EqualTo(Environment.ProcessId));
                Assert.That(pid, Is.Not.EqualTo(lastPid), "a new worker ran the run");
                lastPid = pid;
                if (how == "segfault")
                {
                    Assert.That(result.Error, Does.Contain("Segmentation fault"), "the worker's last stderr lines (faulthandler's report) are in the error");
                }

                // Nothing the check submitted before the fault is lost, in order, once; the commit says the run failed.
                var before = sender.Metrics.Where(m => m.Name == "crash.before").Select(m => (int)m.Value).ToList();
                Assert.That(before, Is.EqualTo(Enumerable.Range(0, 1000 * attempt).Select(i => i % 1000)));
                Assert.That(sender.Metrics.Count(m => m.Name == "crash.after"), Is.Zero);
                var commits = sender.Commits.Where(c => c.CheckName == "crash").ToList();
                Assert.That(commits, Has.Count.EqualTo(attempt));
                Assert.That(commits[^1].Succeeded, Is.False);
                Assert.That(commits[^1].Metrics, Is.EqualTo(1000));
                Assert.That(result.Metrics, Is.EqualTo(1000));

                // The other checks, in process and in the other worker, run on.
                foreach (var check in steady)
                {
                    var ok = check.RunAsync().GetAwaiter().GetResult();
                    Assert.That(ok.Error, Is.Null, check.Id);
                }
            }

            // Three runs in a row that each ended their worker: quarantined, and says so at once.
            var refused = crash.RunAsync().GetAwaiter().GetResult();
            Assert.That(refused.Error, Does.StartWith("quarantined"));
            Assert.That(refused.Duration, Is.LessThan(TimeSpan.FromSeconds(1)));
            var steadyPids = sender.Metrics.Where(m => m.Name == "steady.pid").Select(m => (int)m.Value).Distinct().ToList();
            Assert.That(steadyPids, Has.Count.EqualTo(2), "the steady check in the other worker never lost its worker");

            // The telemetry counts the three restarts and reads each running worker's memory.
            using var meters = new MeterListener();
            var readings = new List<(string Name, long Value)>();
            meters.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name.StartsWith("pychecks.worker_processes.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            meters.SetMeasurementEventCallback<long>((instrument, value, _, _) => readings.Add((instrument.Name, value)));
            meters.Start();
            meters.RecordObservableInstruments();
            Assert.That(readings.Where(r => r.Name == "pychecks.worker_processes.restarts").Sum(r => r.Value), Is.EqualTo(3));
            Assert.That(readings.Where(r => r.Name == "pychecks.worker_processes.memory").Select(r => r.Value), Is.Not.Empty.And.All.GreaterThan(1 << 20));
        },
        new Dictionary<string, string?> { ["FAULT"] = how, ["EXPECTED"] = expected });
}
