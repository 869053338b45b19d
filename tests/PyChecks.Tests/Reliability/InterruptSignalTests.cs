using NUnit.Framework;
using PyChecks.Interop;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Reliability;

/// <summary>
/// The interrupt that ends a run which overstays (<c>PyThreadState_SetAsyncExc</c>) leaves nothing behind: withdrawn when
/// the run returned first, it leaves no "asynchronous exception pending" signal set in the interpreter; and a process
/// forked while it waits for the run's thread does not inherit one. Either left set, a call under a profile or trace
/// function spins for ever on CPython 3.11 (on the other versions it only slows every thread down), so 3.11 is where these
/// tests would fail without it; they run on every Python.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class InterruptSignalTests
{
    // probe() calls a function under a profile function on another thread, and says whether that call returned within 5 s.
    private const string Probe = """
        import ctypes, sys, threading
        from datadog_checks.base import AgentCheck


        def _f():
            return 1


        def probe():
            def profiled():
                sys.setprofile(lambda *args: None)
                try:
                    _f()
                finally:
                    sys.setprofile(None)

            thread = threading.Thread(target=profiled)
            thread.start()
            thread.join(5)
            if thread.is_alive():
                # Raising in it is what ends the spin (and clears the signal), so that the process can end.
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(SystemExit))
                thread.join()
                return 'the profiled call spun'
            for _ in (0, 1, 2):
                pass  # an interrupt still pending for this thread would be raised here
            return 'returned'


        class ProbeCheck(AgentCheck):
            def check(self, instance):
                pass
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void AnInterruptWithdrawnBeforeItWasRaised_IsNotRaisedLater_AndLeavesNoSignal(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("interrupt_probe", Probe).Config("interrupt_probe", "instances: [{}]\n");
        using var host = folder.Start([new InMemorySender()]);
        Assert.That(CheckFolder.LoadAll(host), Has.Count.EqualTo(1));
        using (host.Runtime.AcquireGil())
        {
            using var errors = PyObject.Import("pychecks.errors");
            using var interrupt = errors.GetAttr("CheckInterrupt");
            using var deliver = errors.GetAttr("_deliver_pending");
            Assert.That(AsyncExceptions.Raise(AsyncExceptions.CurrentThreadId(), interrupt), Is.True, "scheduled for this thread");
            AsyncExceptions.WithdrawOwn(interrupt, deliver);

            using var module = PyObject.Import("interrupt_probe");
            using var probe = module.GetAttr("probe");
            using var answer = probe.Call();
            Assert.That(answer.ToClr(), Is.EqualTo("returned"));
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void AChildForkedWhileAnInterruptWaitsForTheRunsThread_EndsWhenItsThreadReturns(PythonInstall install) => Isolated.Run(install, static () =>
    {
        // The run, cancelled after 0.3 s, is blocked in C (sleep), so the interrupt waits for its thread; meanwhile a thread
        // of the check forks, and the child's thread returns at once: the child must end (exit code 0), not spin.
        string outcome = Path.Combine(Path.GetTempPath(), $"pychecks-fork-interrupt-{Guid.NewGuid():N}");
        var folder = new CheckFolder().Check("fork_interrupted", """
            import os, threading, time
            from datadog_checks.base import AgentCheck


            def fork_later(out, delay):
                time.sleep(delay)
                pid = os.fork()
                if pid == 0:
                    return
                deadline = time.time() + 10
                result = 'the child was still running 10 s later'
                while time.time() < deadline:
                    done, status = os.waitpid(pid, os.WNOHANG)
                    if done:
                        result = str(os.waitstatus_to_exitcode(status))
                        break
                    time.sleep(0.02)
                else:
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                with open(out + '.tmp', 'w') as f:
                    f.write(result)
                os.replace(out + '.tmp', out)


            class ForkInterruptedCheck(AgentCheck):
                def check(self, instance):
                    threading.Thread(target=fork_later, args=(instance['out'], 1.0)).start()
                    time.sleep(2.5)
            """).Config("fork_interrupted", $"instances: [{{out: '{outcome}'}}]\n");
        using var host = folder.Start([new InMemorySender()]);
        var check = CheckFolder.LoadAll(host).Single();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var result = check.RunAsync(cancel.Token).GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.False, "the run was cancelled");
        Assert.That(result.Error, Does.Contain("interrupted"), result.Error);

        Eventually.That(() => File.Exists(outcome), "the forking thread's report", seconds: 30);
        Assert.That(File.ReadAllText(outcome), Is.EqualTo("0"), "the child forked while the interrupt waited ended when its thread returned");
        File.Delete(outcome);
    });
}
