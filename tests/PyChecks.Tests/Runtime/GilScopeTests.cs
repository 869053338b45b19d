using NUnit.Framework;
using PyChecks.Tests.Infrastructure;

namespace PyChecks.Tests.Runtime;

/// <summary>GIL scopes: re-entrancy, thread affinity, contention and thread-state reclamation, against every installed CPython.</summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class GilScopeTests
{
    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Scopes_Nest_AndOnlyTheOutermostReleasesTheGil(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize();
        using var otherEntered = new ManualResetEventSlim();
        Thread other;
        using (var outer = runtime.AcquireGil())
        {
            Assert.That(outer.Depth, Is.EqualTo(1));
            using (var inner = runtime.AcquireGil())
            {
                Assert.That(inner.Depth, Is.EqualTo(2));
                using var math = PyObject.Import("math");
            }

            other = new Thread(() =>
            {
                using var gil = runtime.AcquireGil();
                otherEntered.Set();
            });
            other.Start();
            Assert.That(otherEntered.Wait(TimeSpan.FromMilliseconds(300)), Is.False, "the outer scope still holds the GIL after the inner one ends");
        }

        Assert.That(otherEntered.Wait(TimeSpan.FromSeconds(10)), Is.True, "leaving the outermost scope releases the GIL");
        other.Join();
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Scope_DisposedOnAnotherThread_ThrowsAndExplainsTheRule(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize();
        using var scope = runtime.AcquireGil();
        var owner = PyChecks.Interop.ThreadGil.Current!;
        Exception? thrown = null;
        var thief = new Thread(() =>
        {
            try
            {
                // What a scope smuggled to another thread would do on dispose.
                new GilScope(owner, 1).Dispose();
            }
            catch (Exception e)
            {
                thrown = e;
            }
        });
        thief.Start();
        thief.Join();
        Assert.That(thrown, Is.TypeOf<InvalidOperationException>());
        Assert.That(thrown!.Message, Does.Contain("disposed on thread").And.Contain("never keep one across an 'await'"));
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void Scope_DisposedOutOfOrderOrTwice_Throws(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize();
        var outer = runtime.AcquireGil();
        var inner = runtime.AcquireGil();
        string? outOfOrder = null;
        try
        {
            outer.Dispose();
        }
        catch (InvalidOperationException e)
        {
            outOfOrder = e.Message;
        }

        inner.Dispose();
        string? twice = null;
        try
        {
            inner.Dispose();
        }
        catch (InvalidOperationException e)
        {
            twice = e.Message;
        }

        outer.Dispose();
        Assert.That(outOfOrder, Does.Contain("innermost first"));
        Assert.That(twice, Does.Contain("disposed twice"));
        Assert.That(PyChecks.Interop.ThreadGil.IsHeld, Is.False, "the GIL is released once the scopes were disposed in order");
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void PythonCalls_WithoutAScope_ThrowInsteadOfCrashing(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize();
        var noGil = Assert.Throws<InvalidOperationException>(() => PyObject.Import("math"));
        Assert.That(noGil!.Message, Does.Contain("needs the GIL"));
        PyObject math;
        using (runtime.AcquireGil())
        {
            math = PyObject.Import("math");
        }

        Assert.Throws<InvalidOperationException>(() => math.GetAttr("pi"));
        Assert.That(math.ToString(), Does.StartWith("<PyObject 0x"), "ToString without the GIL does not call Python");
        math.Dispose(); // without the GIL: queued, released at the next scope exit
        using (runtime.AcquireGil())
        {
        }

        Assert.That(PyChecks.Interop.ThreadGil.PendingReleases, Is.Zero);
    });

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ManyThreads_64x10000Scopes_CompleteWithoutDeadlockOrLostUpdates(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize();
        PyObject increment, read;
        using (runtime.AcquireGil())
        {
            // list.append is one C call, atomic under the GIL ('count += 1' is not: CPython may switch threads inside it).
            using var module = PyObject.CreateModule("counter", """
                calls = []
                def increment():
                    calls.append(None)
                def read():
                    return len(calls)
                """);
            increment = module.GetAttr("increment");
            read = module.GetAttr("read");
        }

        const int Threads = 64, Scopes = 10_000;
        using var go = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            go.Wait();
            for (int i = 0; i < Scopes; i++)
            {
                using var gil = runtime.AcquireGil();
                increment.Call().Dispose();
            }
        })).ToList();
        workers.ForEach(t => t.Start());
        go.Set();
        foreach (var worker in workers)
        {
            Assert.That(worker.Join(TimeSpan.FromMinutes(2)), Is.True, "a thread did not finish: deadlock");
        }

        using (runtime.AcquireGil())
        {
            using var total = read.Call();
            Assert.That(total.As<long>(), Is.EqualTo((long)Threads * Scopes));
            increment.Dispose();
            read.Dispose();
        }
    }, timeout: TimeSpan.FromMinutes(4));

    [TestCaseSource(typeof(PythonInstall), nameof(PythonInstall.Cases))]
    public void ThreadChurn_10000ShortLivedThreads_TheirThreadStatesAreReclaimed(PythonInstall install) => Isolated.Run(install, static () =>
    {
        using var runtime = ChildPython.Initialize();
        int before;
        using (runtime.AcquireGil())
        {
            before = PyChecks.Interop.ThreadGil.CountInterpreterThreadStates();
        }

        const int Total = 10_000, Batch = 50;
        for (int done = 0; done < Total; done += Batch)
        {
            var batch = Enumerable.Range(0, Batch).Select(_ => new Thread(() =>
            {
                using var gil = runtime.AcquireGil();
                using var one = PyObject.From(1L);
            })).ToList();
            batch.ForEach(t => t.Start());
            batch.ForEach(t => t.Join());
        }

        int after = int.MaxValue;
        for (int attempt = 0; attempt < 10 && after > before + 2; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using (runtime.AcquireGil())
            {
            }

            using (runtime.AcquireGil())
            {
                after = PyChecks.Interop.ThreadGil.CountInterpreterThreadStates();
            }
        }

        // This thread's own state is the one that may remain.
        Assert.That(after, Is.LessThanOrEqualTo(before + 2), $"CPython still lists {after} thread states (before: {before}) after 10,000 threads exited");
        Assert.That(PythonRuntime.LiveThreadStates, Is.LessThanOrEqualTo(2));
    }, timeout: TimeSpan.FromMinutes(4));
}
