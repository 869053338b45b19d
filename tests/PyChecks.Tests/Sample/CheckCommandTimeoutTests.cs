using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Sample;

/// <summary>
/// The built sample's <c>check</c> command, as a process of its own on each Python: a run that overstays its timeout
/// (<c>--timeout</c>, else the instance's <c>run_timeout</c>, else its interval) is reported timed out, and a run stuck in
/// C code is reported stuck and the command still ends, with a non-zero exit code either way.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class CheckCommandTimeoutTests
{
    private const string SpinCheck = """
        from datadog_checks.base import AgentCheck

        class SpinCheck(AgentCheck):
            def check(self, instance):
                self.gauge('spin.started', 1)
                while True:
                    pass
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void WhileTruePass_TimesOutAtTheInstancesRunTimeoutOrInterval_AndExitsOne(PythonInstall install)
    {
        var folder = new CheckFolder().Check("spin", SpinCheck).Config("spin", """
            instances:
              - {name: by-interval, min_collection_interval: 1}
              - {name: by-run-timeout, run_timeout: 2, min_collection_interval: 60}
            """);
        var (exit, output, elapsed) = Run(install, folder, "spin");
        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(output, Does.Match(@"\nresult  TIMED OUT after \d+\.\d ms \(timeout 1 s\): the run took longer than its timeout and was interrupted\n"), "min_collection_interval: 1");
        Assert.That(output, Does.Match(@"\nresult  TIMED OUT after \d+\.\d ms \(timeout 2 s\): the run took longer than its timeout and was interrupted\n"), "run_timeout: 2");
        Assert.That(output, Does.Contain("CheckInterrupt"), "the interrupt's traceback, at the loop");
        Assert.That(output, Does.Contain("spin: 2 instances, 2 runs: 0 succeeded, 2 failed, 2 timed out"));
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void TimeoutOption_OverridesTheConfiguredTimeouts(PythonInstall install)
    {
        var folder = new CheckFolder().Check("spin", SpinCheck).Config("spin", """
            instances:
              - {run_timeout: 600, min_collection_interval: 600}
            """);
        var (exit, output, elapsed) = Run(install, folder, "spin", "--timeout", "0.5");
        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(output, Does.Match(@"\nresult  TIMED OUT after \d+\.\d ms \(timeout 0\.5 s\)"));
        Assert.That(output, Does.Contain("spin: 1 instance, 1 run: 0 succeeded, 1 failed, 1 timed out"));
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "not the configured 600 s");
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ARunStuckInC_IsReportedStuck_AndTheCommandEndsWithoutIt(PythonInstall install)
    {
        var folder = new CheckFolder().Check("blocked", """
            import ctypes, os, time
            from datadog_checks.base import AgentCheck

            class BlockedCheck(AgentCheck):
                def check(self, instance):
                    self.gauge('blocked.started', 1)
                    if instance['call'] == 'read':
                        read, write = os.pipe()
                        ctypes.CDLL(None).read(read, ctypes.create_string_buffer(1), 1)
                    else:
                        time.sleep(10**6)
                    self.gauge('blocked.returned', 1)
            """).Config("blocked", """
            instances:
              - {call: read, run_timeout: 1}
              - {call: sleep, run_timeout: 1}
            """);
        var (exit, output, elapsed) = Run(install, folder, "blocked", "--times", "3");
        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(output, Does.Match(@"\nresult  STUCK after \d+\.\d ms \(timeout 1 s\): blocked in C code, left behind\n"));
        Assert.That(output, Does.Contain("the run did not return within its timeout of 1 s and the 2 s grace period after the interrupt"));
        Assert.That(output, Does.Contain("blocked.started").And.Not.Contain("blocked.returned"), "what it submitted before it blocked");
        Assert.That(output, Does.Match(@"\nblocked:[0-9a-f]{16} is stuck in C code: the command ends without it"));
        Assert.That(output, Does.Contain("blocked: 2 instances, 1 run: 0 succeeded, 1 failed, 1 timed out, 1 stuck"), "no further run after the stuck one");
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(1 + 2 + 15)), "ended: the timeout, the grace, start-up and a margin; no shutdown timeout waited");
    }

    private static (int Exit, string Output, TimeSpan Elapsed) Run(PythonInstall install, CheckFolder folder, params string[] args)
    {
        var (exit, stdout, stderr, elapsed) = SampleProcess.Run(install, ["check", .. args, "--conf-dir", folder.ConfigDirectory, "--checks-dir", folder.ChecksDirectory], TimeSpan.FromSeconds(90));
        return (exit, stdout + stderr, elapsed);
    }
}
