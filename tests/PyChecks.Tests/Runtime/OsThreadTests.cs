using System.Runtime.InteropServices;
using NUnit.Framework;
using PyChecks.Runtime;

namespace PyChecks.Tests.Runtime;

/// <summary>
/// How the stuck-run diagnosis sees a thread from outside: blocked in one system call (a sleep), waiting on a lock, or
/// passing through short system calls between lock waits, as a run does that formats its traceback while other threads
/// hold the GIL. Only the first is blocked in C.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed partial class OsThreadTests
{
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(25);

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
