using System.Runtime.InteropServices;
using NUnit.Framework;
using PyChecks.Runtime;

namespace PyChecks.Tests.Runtime;

/// <summary>
/// How the stuck-run diagnosis sees a thread from outside: blocked in one system call (a sleep), waiting on a lock, or
/// passing through short system calls between lock waits, as a run does that formats its traceback while other threads
/// hold the GIL. Only the first is blocked in C. And a thread's own stack, by which the running check's context is found
/// without a thread-static.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed partial class OsThreadTests
{
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(25);

    [Test]
    public unsafe void AThreadsStack_HoldsItsOwnFrames_AndNoOtherThreads()
    {
        // Both threads alive at once: a thread's stack is reused by threads started after it ends.
        using var together = new Barrier(2);
        (bool Known, nuint Low, nuint Size, nuint Frame) Read()
        {
            nuint local = 0;
            bool known = OsThread.TryGetStack(out nuint low, out nuint size);
            together.SignalAndWait();
            return (known, low, size, (nuint)(&local));
        }

        var results = new (bool Known, nuint Low, nuint Size, nuint Frame)[2];
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() => results[i] = Read(), 256 * 1024)).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        var (first, second) = (results[0], results[1]);
        Assert.Multiple(() =>
        {
            Assert.That(first.Known && second.Known, Is.True, "a thread the runtime started knows its stack");
            Assert.That(first.Size, Is.InRange((nuint)(256 * 1024), (nuint)(1024 * 1024)), "the size the thread was started with, give or take the guard page and rounding");
            Assert.That(first.Frame - first.Low, Is.LessThan(first.Size), "its own frame is inside its range");
            Assert.That(second.Frame - second.Low, Is.LessThan(second.Size));
            Assert.That(second.Frame - first.Low, Is.GreaterThanOrEqualTo(first.Size), "another thread's frame is not");
            Assert.That(first.Frame - second.Low, Is.GreaterThanOrEqualTo(second.Size));
        });
    }

    [Test]
    public void AThreadAsleep_IsBlockedInASystemCall()
    {
        // libc's sleep, as C code calls it (.NET's Thread.Sleep waits on a condition, that is on a futex).
        Assert.That(Observe(stop => { while (!stop.IsSet && USleep(300_000) == 0) { } }), Is.True, "a sleep is a system call other than a futex wait, and it lasts");
    }

    [Test]
    public void AThreadWaitingOnALock_IsNot()
    {
        Assert.That(Observe(stop => stop.Wait()), Is.False, "a lock is waited for with futex, as the GIL is");
    }

    [Test]
    public void AThreadPassingThroughShortSystemCallsBetweenLockWaits_IsNot()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "def check(self, instance):\n    pass\n");
        try
        {
            Assert.That(
                Observe(stop =>
                {
                    while (!stop.Wait(TimeSpan.FromMilliseconds(1)))
                    {
                        File.ReadAllText(file); // open, fstat, read, close: each found at some readings, never at all five
                    }
                }),
                Is.False,
                "short calls between lock waits are not one call that lasts");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Runs <paramref name="body"/> on a thread of its own and asks, from this one, whether it is blocked in a system call.</summary>
    private static bool Observe(Action<ManualResetEventSlim> body)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("reads /proc/self/task/<tid>/syscall: Linux only");
        }

        using var stop = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        OsThread observed = default;
        var thread = new Thread(() =>
        {
            observed = OsThread.Current();
            started.Set();
            body(stop);
        })
        { IsBackground = true };
        thread.Start();
        started.Wait();
        Thread.Sleep(50); // into its wait
        try
        {
            return observed.BlockedInNonLockSystemCall(5, Spacing);
        }
        finally
        {
            stop.Set();
            thread.Join();
        }
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int USleep(uint microseconds);
}
