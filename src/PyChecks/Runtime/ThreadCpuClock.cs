using System.Runtime.InteropServices;

namespace PyChecks.Runtime;

/// <summary>
/// The CPU time of one OS thread, readable from any thread (<c>pthread_getcpuclockid</c>): how PyChecks tells a run
/// that is busy (running C code that holds the GIL) from one that is waiting (for the GIL, or in a blocking call).
/// </summary>
internal readonly partial struct ThreadCpuClock
{
    private readonly int _clockId;
    private readonly bool _valid;

    private ThreadCpuClock(int clockId)
    {
        _clockId = clockId;
        _valid = true;
    }

    /// <summary>The calling thread's clock (an invalid clock if the system refuses one).</summary>
    public static ThreadCpuClock ForCurrentThread() =>
        pthread_getcpuclockid(pthread_self(), out int clockId) == 0 ? new ThreadCpuClock(clockId) : default;

    /// <summary>The thread's CPU time so far, or <see langword="null"/> when unknown (no clock, or the thread has ended).</summary>
    public TimeSpan? Read()
    {
        if (!_valid || clock_gettime(_clockId, out var now) != 0)
        {
            return null;
        }

        return TimeSpan.FromTicks((now.Seconds * TimeSpan.TicksPerSecond) + (now.Nanoseconds / 100));
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc.so.6")]
    private static partial nint pthread_self();

    [LibraryImport("libc.so.6")]
    private static partial int pthread_getcpuclockid(nint thread, out int clockId);

    [LibraryImport("libc.so.6")]
    private static partial int clock_gettime(int clockId, out Timespec time);
}
