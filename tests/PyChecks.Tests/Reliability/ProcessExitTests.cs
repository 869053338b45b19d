using System.Runtime.InteropServices;
using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Reliability;

/// <summary>
/// A check that tries to end the process it shares with the host and every other check: <c>os.abort()</c>,
/// <c>os._exit()</c>, a signal to itself. In the host these fail the run (<c>pychecks.ProcessExitRefused</c>); in a
/// child process they still work; what C code does cannot be guarded, and kills only the process it runs in.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed partial class ProcessExitTests
{
    /// <summary>SIGWINCH on Linux: ignored by default, and handled through the same .NET signal thread as SIGINT and SIGTERM.</summary>
    private const int SigWinch = 28;

    private const string HelloCheck = """
        from datadog_checks.base import AgentCheck

        class HelloCheck(AgentCheck):
            def check(self, instance):
                self.gauge('hello.world', 1)
        """;

    /// <summary>One check, one instance per way out; <c>except Exception</c> around the call shows the refusal is not swallowed.</summary>
    private const string ExitingCheck = """
        import os, posix
        from datadog_checks.base import AgentCheck

        class ExitingCheck(AgentCheck):
            def check(self, instance):
                self.gauge('exiting.before', 1)
                try:
                    {
                        'abort': os.abort,
                        'exit': lambda: os._exit(3),
                        'posix_exit': lambda: posix._exit(4),
                    }[instance['call']]()
                except Exception:
                    self.gauge('exiting.swallowed', 1)
                self.gauge('exiting.after', 1)
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void OsAbortAndOsExitInACheck_AreFailedRunsNamingTheCall_AndTheHostGoesOn(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder()
            .Check("exiting", ExitingCheck)
            .Config("exiting", "instances: [{call: abort}, {call: exit}, {call: posix_exit}]\n")
            .Check("hello", HelloCheck)
            .Config("hello", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var checks = CheckFolder.LoadAll(host);
        var hello = checks.Single(c => c.Name == "hello");
        var exiting = checks.Where(c => c.Name == "exiting").ToList();

        for (int round = 0; round < 2; round++)
        {
            var errors = exiting.Select(c => c.RunAsync().GetAwaiter().GetResult()).ToList();
            Assert.That(errors.Select(r => r.Succeeded), Is.All.False);
            Assert.That(errors.Select(r => r.Error), Is.EquivalentTo(new[]
            {
                "pychecks.errors.ProcessExitRefused: os.abort() was refused: it would end the host process, which runs other checks. Raise an exception to fail the run instead.",
                "pychecks.errors.ProcessExitRefused: os._exit(3) was refused: it would end the host process, which runs other checks. Raise an exception to fail the run instead.",
                "pychecks.errors.ProcessExitRefused: os._exit(4) was refused: it would end the host process, which runs other checks. Raise an exception to fail the run instead.",
            }));
            Assert.That(errors.Select(r => r.Traceback), Has.All.Contain("in check"), "the traceback points at the check's call");

            var after = hello.RunAsync().GetAwaiter().GetResult();
            Assert.That(after.Succeeded, Is.True, after.Error);
        }

        Assert.That(sender.Metrics.Count(m => m.Name == "exiting.before"), Is.EqualTo(6), "samples before the call are delivered");
        Assert.That(sender.Metrics.Select(m => m.Name), Has.No.Member("exiting.swallowed").And.No.Member("exiting.after"), "'except Exception' does not swallow the refusal");
        Assert.That(sender.Metrics.Count(m => m.Name == "hello.world"), Is.EqualTo(2));
        using var gil = host.Runtime.AcquireGil();
        using var os = PyObject.Import("os");
        using var exit = os.GetAttr("_exit");
        using var name = exit.GetAttr("__name__");
        Assert.That(name.As<string>(), Is.EqualTo("_exit"), "the guard keeps the function's name");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void AForkedChild_StillExitsWithOsExit_AndMultiprocessingChildrenEndNormally(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("forking", """
            import ctypes, multiprocessing, os, sys
            from datadog_checks.base import AgentCheck

            def quit_with_five():
                sys.exit(5)

            class ForkingCheck(AgentCheck):
                def check(self, instance):
                    pid = os.fork()
                    if pid == 0:
                        try:
                            os._exit(7)
                        finally:
                            ctypes.CDLL(None)._exit(99)  # only if the guard wrongly refused in the child
                    _, status = os.waitpid(pid, 0)
                    self.gauge('fork.exit', os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status))

                    context = multiprocessing.get_context('fork')
                    for name, target in (('none', None), ('five', quit_with_five)):
                        child = context.Process(target=target)
                        child.start()
                        child.join(60)
                        self.gauge('multiprocessing.exit', child.exitcode if child.exitcode is not None else -1000, tags=['child:' + name])
            """).Config("forking", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var check = CheckFolder.LoadAll(host).Single();

        var result = check.RunAsync().GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error + result.Traceback);
        Assert.That(sender.Metrics.Single(m => m.Name == "fork.exit").Value, Is.EqualTo(7.0), "os._exit(7) in the child really exits, with its code");
        Assert.That(
            sender.Metrics.Where(m => m.Name == "multiprocessing.exit").Select(m => (m.Tags[0], m.Value)),
            Is.EqualTo(new[] { ("child:none", 0.0), ("child:five", 5.0) }),
            "multiprocessing children end through os._exit with their exit code");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void SignalsACheckSendsToTheHost_AreFailedRuns_AndTheHostGoesOn(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var folder = new CheckFolder().Check("signalling", """
            import os, signal, threading
            from datadog_checks.base import AgentCheck

            CALLS = {
                'kill_sigint': lambda: os.kill(os.getpid(), signal.SIGINT),
                'kill_sigterm': lambda: os.kill(os.getpid(), signal.SIGTERM),
                'kill_sigkill': lambda: os.kill(os.getpid(), signal.SIGKILL),
                'raise_sigint': lambda: signal.raise_signal(signal.SIGINT),
                'pthread_kill_sigint': lambda: signal.pthread_kill(threading.get_ident(), signal.SIGINT),
                'probe': lambda: os.kill(os.getpid(), 0),
            }

            class SignallingCheck(AgentCheck):
                def check(self, instance):
                    CALLS[instance['call']]()
                    self.gauge('signalling.after', 1, tags=['call:' + instance['call']])
            """).Config("signalling", """
            instances:
              - call: kill_sigint
              - call: kill_sigterm
              - call: kill_sigkill
              - call: raise_sigint
              - call: pthread_kill_sigint
              - call: probe
            """).Check("hello", HelloCheck).Config("hello", "instances: [{}]\n");
        var sender = new InMemorySender();
        using var host = folder.Start([sender]);
        var checks = CheckFolder.LoadAll(host);

        var results = checks.Where(c => c.Name == "signalling").Select(c => c.RunAsync().GetAwaiter().GetResult()).ToList();
        var errors = results.Where(r => !r.Succeeded).Select(r => r.Error!).ToList();
        int pid = Environment.ProcessId;
        Assert.That(errors, Has.Count.EqualTo(5));
        Assert.That(errors, Has.All.Matches<string>(e => e.StartsWith("pychecks.errors.ProcessExitRefused: ", StringComparison.Ordinal) && e.Contains(" was refused: it would end the host process", StringComparison.Ordinal)));
        Assert.That(errors, Has.Some.Contains($"os.kill({pid}, SIGINT) (a signal to the host process)"));
        Assert.That(errors, Has.Some.Contains($"os.kill({pid}, SIGTERM) (a signal to the host process)"));
        Assert.That(errors, Has.Some.Contains($"os.kill({pid}, SIGKILL) (a signal to the host process)"));
        Assert.That(errors, Has.Some.Contains("signal.raise_signal(SIGINT) (a signal to the host process)"));
        Assert.That(errors, Has.Some.Matches<string>(e => e.Contains("signal.pthread_kill(", StringComparison.Ordinal) && e.Contains(", SIGINT) (a signal to a thread of the host process)", StringComparison.Ordinal)));
        Assert.That(sender.Metrics.Single().Tags, Is.EqualTo(new[] { "call:probe" }), "signal 0 only probes: allowed");

        // A signal that got through reached .NET's signal thread before its run returned (a signal a thread sends to
        // its own process is delivered before the call returns). That thread handles signals in the order they come,
        // so once a marker sent now has been handled, every earlier one has been too, and the process is still here.
        using var markerHandled = new ManualResetEventSlim();
        using var marker = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
        {
            context.Cancel = true;
            markerHandled.Set();
        });
        Assert.That(Kill(pid, SigWinch), Is.Zero, "kill(getpid(), SIGWINCH)");
        Assert.That(markerHandled.Wait(TimeSpan.FromSeconds(20)), Is.True, "the marker signal sent after the refused ones is handled");
        var hello = checks.Single(c => c.Name == "hello").RunAsync().GetAwaiter().GetResult();
        Assert.That(hello.Succeeded, Is.True, hello.Error);
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ASegfaultInACheck_CannotBeGuarded_AndKillsOnlyTheProcessItRunsIn(PythonInstall install)
    {
        var child = RunCrashingHost(install, "ctypes.string_at(0)", guard: true);
        Assert.That(child.Output, Does.Contain("the check is about to run"));
        Assert.That(child.Output, Does.Not.Contain("the check returned"));
        Assert.That(child.ExitCode, Is.EqualTo(128 + 11).Or.EqualTo(128 + 6), $"the child died of SIGSEGV (or SIGABRT from the runtime's handler):\n{child.Output}");
    }

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void WithTheGuardOff_ASigintACheckSendsToItself_EndsTheProcess(PythonInstall install)
    {
        // Python installs no SIGINT handler (PyConfig.install_signal_handlers is 0), and .NET's default for SIGINT is to end the process.
        if (InheritedSignals.SigintIgnored())
        {
            Assert.Ignore("SIGINT is ignored in this test process (inherited, as by a job started in the background of a non-interactive shell): the child inherits that, and a SIGINT cannot end it");
        }

        var child = RunCrashingHost(install, "os.kill(os.getpid(), signal.SIGINT)", guard: false);
        Assert.That(child.Output, Does.Contain("the check is about to run"));
        Assert.That(child.Output, Does.Not.Contain("the check returned"));
        Assert.That(child.ExitCode, Is.EqualTo(128 + 2), $"the child died of SIGINT: what the guard prevents\n{child.Output}");
    }

    /// <summary>Runs <see cref="CrashingHost"/> in a child process of its own, whatever it ends with.</summary>
    private static ChildResult RunCrashingHost(PythonInstall install, string call, bool guard)
    {
        install.RequirePresent();
        var environment = new Dictionary<string, string?>
        {
            [Isolated.LibraryVariable] = install.Library,
            ["CRASH_CALL"] = call,
            ["CRASH_GUARD"] = guard ? "1" : "0",
        };
        return Isolated.RunChild(((Action)CrashingHost).Method, environment, TimeSpan.FromMinutes(2));
    }

    /// <summary>The child's side: a host whose only check makes <c>CRASH_CALL</c>, then waits a moment for a signal to land.</summary>
    private static void CrashingHost()
    {
        string call = Environment.GetEnvironmentVariable("CRASH_CALL")!;
        var folder = new CheckFolder().Check("crashing", $$"""
            import ctypes, os, signal, time
            from datadog_checks.base import AgentCheck

            class CrashingCheck(AgentCheck):
                def check(self, instance):
                    {{call}}
                    time.sleep(1)
            """).Config("crashing", "instances: [{}]\n");
        using var host = folder.Start([], o => o.GuardProcessExit = Environment.GetEnvironmentVariable("CRASH_GUARD") == "1");
        var check = CheckFolder.LoadAll(host).Single();
        Console.WriteLine("the check is about to run");
        var result = check.RunAsync().GetAwaiter().GetResult();
        Console.WriteLine($"the check returned: {result.Error}");
        Thread.Sleep(1000);
        Console.WriteLine("the host is still alive");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
