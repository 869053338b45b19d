using System.Globalization;
using System.Runtime.InteropServices;

namespace PyChecks.Runtime;

/// <summary>
/// One OS thread as other threads can observe it on Linux: its CPU time (<c>pthread_getcpuclockid</c>) and the system
/// call it is blocked in (<c>/proc/self/task/&lt;tid&gt;/syscall</c>). How PyChecks tells a run that is busy in C, or
/// blocked in a call such as <c>recv</c>, from one that only waits on a lock, which is how the GIL is waited for.
/// </summary>
internal readonly partial struct OsThread
{
    private const long FutexSyscall = 202; // x86-64: locks, conditions and the GIL are all waited for with futex

    private readonly int _clockId;
    private readonly int _tid;

    // A thread's id and clock never change: read once per thread (every run asks; two calls and a system call each time).
    [ThreadStatic]
    private static OsThread t_current;

    private OsThread(int clockId, int tid)
    {
        _clockId = clockId;
        _tid = tid;
    }

    /// <summary>The calling thread (an unknown thread if the system refuses its clock).</summary>
    public static OsThread Current()
    {
        if (t_current._tid == 0)
        {
            t_current = pthread_getcpuclockid(pthread_self(), out int clockId) == 0 ? new OsThread(clockId, gettid()) : default;
        }

        return t_current;
    }

    /// <summary>The thread's CPU time so far, or <see langword="null"/> when unknown (no clock, or the thread has ended).</summary>
    public TimeSpan? CpuTime()
    {
        if (_tid == 0 || clock_gettime(_clockId, out var now) != 0)
        {
            return null;
        }

        return TimeSpan.FromTicks((now.Seconds * TimeSpan.TicksPerSecond) + (now.Nanoseconds / 100));
    }

    /// <summary>
    /// Whether the thread is blocked in a system call other than a futex wait (a socket, a pipe, a sleep, a
    /// <c>select</c>): then it waits for something outside the process, not for the GIL. The call must be the same at
    /// each of <paramref name="readings"/> readings <paramref name="spacing"/> apart: a thread that only passes through
    /// short calls between lock waits (reading a file to format a traceback, say) is found in a futex wait, or running,
    /// at most of them. False when it runs, waits on a futex, or cannot be read.
    /// </summary>
    public bool BlockedInNonLockSystemCall(int readings, TimeSpan spacing)
    {
        long call = NonLockSystemCall();
        for (int i = 1; i < readings && call >= 0; i++)
        {
            Thread.Sleep(spacing);
            call = NonLockSystemCall() == call ? call : -1;
        }

        return call >= 0;
    }

    /// <summary>The system call other than a futex wait that the thread is blocked in now, or -1.</summary>
    private long NonLockSystemCall()
    {
        if (_tid == 0)
        {
            return -1;
        }

        try
        {
            // "<number> <args…>" while blocked in a call, "running" or "-1 …" otherwise.
            string text = File.ReadAllText($"/proc/self/task/{_tid.ToString(CultureInfo.InvariantCulture)}/syscall");
            int space = text.IndexOf(' ', StringComparison.Ordinal);
            return space > 0
                && long.TryParse(text.AsSpan(0, space), NumberStyles.Integer, CultureInfo.InvariantCulture, out long number)
                && number >= 0 && number != FutexSyscall
                ? number
                : -1;
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>
    /// The calling thread's stack, <c>[low, low + size)</c>, from <c>pthread_getattr_np</c>; false (and nothing) for the
    /// process's main thread, whose stack grows on demand, and where the system does not say.
    /// </summary>
    public static bool TryGetStack(out nuint low, out nuint size)
    {
        low = 0;
        size = 0;
        try
        {
            return OperatingSystem.IsLinux() && gettid() != Environment.ProcessId && ReadOwnStack(out low, out size);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // a C library other than glibc's: the stack stays unknown
        }
    }

    private static unsafe bool ReadOwnStack(out nuint low, out nuint size)
    {
        low = 0;
        size = 0;

        // pthread_attr_t is 56 bytes on 64-bit glibc and musl: room to spare.
        byte* attributes = stackalloc byte[128];
        if (pthread_getattr_np(pthread_self(), attributes) != 0)
        {
            return false;
        }

        try
        {
            if (pthread_attr_getstack(attributes, out nint address, out nuint bytes) != 0 || address == 0 || bytes == 0)
            {
                return false;
            }

            low = (nuint)address;
            size = bytes;
            return true;
        }
        finally
        {
            _ = pthread_attr_destroy(attributes);
        }
    }

    [LibraryImport("libc.so.6")]
    private static unsafe partial int pthread_getattr_np(nint thread, byte* attributes);

    [LibraryImport("libc.so.6")]
    private static unsafe partial int pthread_attr_getstack(byte* attributes, out nint address, out nuint size);

    [LibraryImport("libc.so.6")]
    private static unsafe partial int pthread_attr_destroy(byte* attributes);

    [LibraryImport("libc.so.6")]
    private static partial nint pthread_self();

    [LibraryImport("libc.so.6")]
    private static partial int gettid();

    [LibraryImport("libc.so.6")]
    private static partial int pthread_getcpuclockid(nint thread, out int clockId);

    [LibraryImport("libc.so.6")]
    private static partial int clock_gettime(int clockId, out Timespec time);
}
