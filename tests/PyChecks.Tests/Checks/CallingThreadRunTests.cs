using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Checks;

/// <summary>
/// Where <see cref="ICheck.RunAsync"/> runs a Python check: on the calling thread when the previous run was short, no
/// token was given and the thread is nobody's pool or loop (<see cref="PythonRuntimeOptions.CallingThreadRunLimit"/>);
/// on a worker otherwise. The check reports the OS thread that ran it.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class CallingThreadRunTests
{
    private static readonly TimeSpan TestLimit = TimeSpan.FromMilliseconds(50);

    private const string ThreadCheck = """
        import threading
        import time
        from datadog_checks.base import AgentCheck

        class ThreadCheck(AgentCheck):
            # One-shot switches the tests set between runs.
            slow = False
            fail = False

            def check(self, instance):
                if ThreadCheck.slow:
                    ThreadCheck.slow = False
                    time.sleep(0.3)
                if ThreadCheck.fail:
                    ThreadCheck.fail = False
                    raise ValueError('this run fails')
                self.gauge('run.thread', threading.get_native_id())
        """;

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ShortRuns_FromAThreadOfTheHost_RunOnThatThread_AfterTheFirst(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (host, check, sender) = Start("instances: [{}]");
        using (host)
        using (check)
        {
            OnThreadOfItsOwn(() =>
            {
                long caller = NativeThreadId(host);
                var first = RunAndRead(check, sender);
                Assert.That(first.Thread, Is.Not.EqualTo(caller), "the first run goes to a worker: nothing is known of its length");
                int warmUp = WarmUp(check, sender, caller);
                for (int i = 0; i < 5; i++)
                {
                    var next = RunAndRead(check, sender);
                    Assert.That(next.Thread, Is.EqualTo(caller), $"run {warmUp + i + 1} follows a short run: it runs on the calling thread");
                    Assert.That(next.CompletedOnReturn, Is.True, "a run on the calling thread is over when RunAsync returns");
                }
            });
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Runs_FromThePool_UnderASynchronizationContext_OrWithAToken_GoToAWorker(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (host, check, sender) = Start("instances: [{}]");
        using (host)
        using (check)
        {
            OnThreadOfItsOwn(() => WarmUp(check, sender, NativeThreadId(host))); // short runs: the next could run on the calling thread

            var fromPool = Task.Run(() => (Caller: NativeThreadId(host), Runs: Enumerable.Range(0, 3).Select(_ => RunAndRead(check, sender).Thread).ToList())).GetAwaiter().GetResult();
            Assert.That(fromPool.Runs, Has.None.EqualTo(fromPool.Caller), "a thread-pool thread never runs a check itself");

            OnThreadOfItsOwn(() =>
            {
                long caller = NativeThreadId(host);
                using var cancel = new CancellationTokenSource();
                for (int i = 0; i < 3; i++)
                {
                    Assert.That(RunAndRead(check, sender, cancel.Token).Thread, Is.Not.EqualTo(caller), "a run that can be cancelled goes to a worker");
                }

                SynchronizationContext.SetSynchronizationContext(new SynchronizationContext());
                for (int i = 0; i < 3; i++)
                {
                    Assert.That(RunAndRead(check, sender).Thread, Is.Not.EqualTo(caller), "a thread under a synchronization context is someone's loop");
                }

                SynchronizationContext.SetSynchronizationContext(null);
                Assert.That(RunAndRead(check, sender).Thread, Is.EqualTo(caller), "the same thread without one runs it");
            });
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ARunLongerThanTheLimit_SendsTheNextToAWorker_AndAShortOneBringsItBack(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (host, check, sender) = Start("instances: [{}]");
        using (host)
        using (check)
        {
            OnThreadOfItsOwn(() =>
            {
                long caller = NativeThreadId(host);
                WarmUp(check, sender, caller);
                Switch(host, "slow");
                Assert.That(RunAndRead(check, sender).Thread, Is.EqualTo(caller), "a 300 ms run after a short one: nothing tells it will be long");
                Assert.That(RunAndRead(check, sender).Thread, Is.Not.EqualTo(caller), "the run after one longer than the limit");
                WarmUp(check, sender, caller);

                Switch(host, "fail");
                var failed = check.RunAsync();
                Assert.That(failed.IsCompleted, Is.True, "a run after a short one is over when RunAsync returns");
                var result = failed.GetAwaiter().GetResult();
                Assert.That(result.Succeeded, Is.False, "a check that raises gives a failed result on the calling thread too, not an exception");
                Assert.That(result.Error, Does.Contain("this run fails"));
                Assert.That(result.Traceback, Does.Contain("ValueError"));
                // Short unless the machine was busy (the first failure formats a traceback, reading the source): the rule is
                // the run's own duration, which the result gives.
                bool wasShort = result.Duration <= TestLimit;
                Assert.That(RunAndRead(check, sender).Thread, wasShort ? Is.EqualTo(caller) : Is.Not.EqualTo(caller),
                    $"a failed run of {result.Duration.TotalMilliseconds:F1} ms decides where the next runs like any other");
            });
        }
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ALimitOfZero_SendsEveryRunToAWorker(PythonInstall install) => Isolated.Run(install, static () =>
    {
        var (host, check, sender) = Start("instances: [{}]", o => o.Python.CallingThreadRunLimit = TimeSpan.Zero);
        using (host)
        using (check)
        {
            OnThreadOfItsOwn(() =>
            {
                long caller = NativeThreadId(host);
                var threads = Enumerable.Range(0, 5).Select(_ => RunAndRead(check, sender).Thread).ToList();
                Assert.That(threads, Has.None.EqualTo(caller));
            });
        }
    });

    [Test]
    public void TheLimit_Is100Microseconds_AndIsValidated_LikeEveryOption()
    {
        Assert.That(new PythonRuntimeOptions().CallingThreadRunLimit, Is.EqualTo(TimeSpan.FromMicroseconds(100)));
        var options = new PyChecksOptions { Python = { CallingThreadRunLimit = TimeSpan.FromSeconds(2) } };
        var errors = new DependencyInjection.PyChecksOptionsValidator().Validate(null, options);
        Assert.That(errors.Failed, Is.True);
        Assert.That(errors.FailureMessage, Does.Contain("CallingThreadRunLimit"));
    }

    /// <summary>Runs the check until a run is short enough for the next to run on <paramref name="caller"/> (its first runs are cold); returns the runs it took.</summary>
    private static int WarmUp(ICheck check, InMemorySender sender, long caller)
    {
        for (int runs = 1; runs <= 200; runs++)
        {
            if (RunAndRead(check, sender).Thread == caller)
            {
                return runs;
            }
        }

        throw new AssertionException("200 runs of a check that submits one gauge, and none ran on the calling thread");
    }

    /// <summary>Sets the one-shot switch <paramref name="name"/> of the check's class.</summary>
    private static void Switch(CheckHost host, string name)
    {
        using var gil = host.Runtime.AcquireGil();
        using var module = PyObject.Import("thread_check");
        using var type = module.GetAttr("ThreadCheck");
        type.SetAttr(name, PyObject.From(true));
    }

    /// <summary>
    /// Starts a host with <see cref="ThreadCheck"/>. The limit is raised from its 100 µs to <see cref="TestLimit"/>, so that
    /// the suite's other processes on the same cores cannot make a run of one gauge count as long.
    /// </summary>
    private static (CheckHost Host, ICheck Check, InMemorySender Sender) Start(string config, Action<PyChecksOptions>? configure = null)
    {
        var sender = new InMemorySender();
        var host = new CheckFolder().Check("thread_check", ThreadCheck).Config("thread_check", config).Start([sender], o =>
        {
            o.Python.CallingThreadRunLimit = TestLimit;
            configure?.Invoke(o);
        });
        return (host, CheckFolder.LoadAll(host).Single(), sender);
    }

    private static (long Thread, bool CompletedOnReturn) RunAndRead(ICheck check, InMemorySender sender, CancellationToken cancellationToken = default)
    {
        sender.Clear();
        var run = check.RunAsync(cancellationToken);
        bool completed = run.IsCompleted;
        var result = run.GetAwaiter().GetResult();
        Assert.That(result.Succeeded, Is.True, result.Error);
        return ((long)sender.Metrics.Single(m => m.Name == "run.thread").Value, completed);
    }

    private static long NativeThreadId(CheckHost host)
    {
        using var gil = host.Runtime.AcquireGil();
        using var threading = PyObject.Import("threading");
        using var id = threading.CallMethod("get_native_id");
        return id.As<long>();
    }

    /// <summary>Runs <paramref name="body"/> on a new thread (not the pool's, no synchronization context) and rethrows its failure.</summary>
    private static void OnThreadOfItsOwn(Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }
}
