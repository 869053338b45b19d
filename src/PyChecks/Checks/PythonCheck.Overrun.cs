using System.Diagnostics;

namespace PyChecks.Checks;

/// <summary>
/// Telling a run stuck in C from one that only waits for the GIL. CPython reports no thread's GIL wait, so PyChecks
/// measures its own: how long the interrupt waits to be raised, how long a probe waits to take the GIL, how much CPU
/// the run's thread burns meanwhile, and which system call it is blocked in.
/// </summary>
internal sealed partial class PythonCheck
{
    // A probe that waits this long (or ten switch intervals, if longer) for the GIL found it held by others.
    private static readonly TimeSpan s_contendedWait = TimeSpan.FromMilliseconds(50);

    /// <summary>The run's token fired: the interrupt is on its way to the GIL. Called on the canceller's thread.</summary>
    private void InterruptRequested()
    {
        Volatile.Write(ref _cpuAtRequest, _runOsThread.CpuTime()?.Ticks ?? -1);
        Volatile.Write(ref _interruptRequestedAt, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// Judges, off the caller's thread, why the run in progress has not returned since its interrupt was requested, and
    /// calls <paramref name="done"/> with the verdict (on a thread-pool thread; each GIL probe waits at most
    /// <paramref name="patience"/>).
    /// </summary>
    /// <remarks>
    /// <para>The run's thread blocked in a system call other than a futex wait (<c>recv</c>, <c>select</c>, a sleep), the
    /// same call at five readings over 100 ms: it is in C, waiting for something outside the process. (A run that only
    /// passes through short calls, as one does that formats its traceback after the interrupt, is not.)</para>
    /// <para>Interrupt not raised yet: the interrupt is waiting for the GIL. If the run's thread burned at least half the
    /// time since on the CPU, the run itself holds the GIL in C code; otherwise other threads hold it.</para>
    /// <para>Interrupt raised, the run waiting on a futex (a lock, or the GIL): it is blocked in C only if the GIL is
    /// free, that is the interrupt got it at once, three probes in a row get it at once (within ten switch
    /// intervals, at least 50 ms), and no other thread kept a CPU busy meanwhile (at least 200 ms are measured). One
    /// quick probe proves little: CPython hands the GIL to waiters in no fixed order, and among many waiters the probes
    /// can be let in again and again before the run's thread.</para>
    /// </remarks>
    public void DiagnoseOverrun(TimeSpan patience, Action<OverrunDiagnosis, object?> done, object? state) =>
        ThreadPool.UnsafeQueueUserWorkItem(
            static work => work.Check.Diagnose(work.Patience, work.Done, work.State),
            new DiagnoseWork(this, patience, done, state),
            preferLocal: false);

    private void Diagnose(TimeSpan patience, Action<OverrunDiagnosis, object?> done, object? state)
    {
        OverrunDiagnosis verdict;
        try
        {
            verdict = Diagnose(patience);
        }
        catch (Exception)
        {
            // The runtime is stopping: nothing can be measured; keep the verdict PyChecks always gave.
            verdict = new OverrunDiagnosis(OverrunCause.InC, TimeSpan.Zero, InCBlocked);
        }

        try
        {
            done(verdict, state);
        }
        catch (Exception)
        {
            // The scheduler's bookkeeping; a thread-pool thread must survive it.
        }
    }

    private const string InCBlocked = "blocked in C code, which cannot be interrupted";
    private const string InCHoldingGil = "running C code that holds the GIL, which cannot be interrupted";
    private const int Probes = 3;

    // A run blocked in a system call (recv, select, a sleep) is found in the same call at each reading, 100 ms in all.
    private const int SystemCallReadings = 5;
    private static readonly TimeSpan SystemCallSpacing = TimeSpan.FromMilliseconds(25);

    private OverrunDiagnosis Diagnose(TimeSpan patience)
    {
        long requestedAt = Volatile.Read(ref _interruptRequestedAt);
        var thread = _runOsThread;
        if (requestedAt == 0 || thread.BlockedInNonLockSystemCall(SystemCallReadings, SystemCallSpacing))
        {
            return new OverrunDiagnosis(OverrunCause.InC, TimeSpan.Zero, InCBlocked);
        }

        long setAt = Volatile.Read(ref _interruptSetAt);
        if (setAt == 0)
        {
            var waited = Stopwatch.GetElapsedTime(requestedAt);
            long cpuAtRequest = Volatile.Read(ref _cpuAtRequest);
            return Busy(thread, cpuAtRequest < 0 ? null : TimeSpan.FromTicks(cpuAtRequest), waited)
                ? new OverrunDiagnosis(OverrunCause.InC, waited, InCHoldingGil)
                : new OverrunDiagnosis(OverrunCause.WaitingForGil, waited, $"its interrupt waited {Seconds(waited)} for the GIL held by other threads");
        }

        var interruptWait = Stopwatch.GetElapsedTime(requestedAt, setAt);
        var cpuBefore = thread.CpuTime();
        var processCpuBefore = Environment.CpuUsage.TotalTime;
        long probing = Stopwatch.GetTimestamp();
        var longest = TimeSpan.Zero;
        bool free = true;
        for (int i = 0; i < Probes && free; i++)
        {
            long started = Stopwatch.GetTimestamp();
            var probe = Probe();
            bool got = probe.Wait(patience);
            var wait = Stopwatch.GetElapsedTime(started);
            longest = wait > longest ? wait : longest;
            free = got && wait < Threshold(probe.Result) && interruptWait < Threshold(probe.Result);
        }

        if (free && !OthersRanMeanwhile(thread, cpuBefore, processCpuBefore, probing))
        {
            return new OverrunDiagnosis(OverrunCause.InC, longest, InCBlocked);
        }

        return Busy(thread, cpuBefore, Stopwatch.GetElapsedTime(probing))
            ? new OverrunDiagnosis(OverrunCause.InC, longest, InCHoldingGil)
            : new OverrunDiagnosis(OverrunCause.WaitingForGil, longest, $"interrupted, it waits for the GIL held by other threads to see the interrupt (a probe waited {Seconds(longest)} for it, the interrupt {Seconds(interruptWait)})");
    }

    // The least time over which the process's CPU time is compared with the clock: CPU time is counted in ticks.
    private static readonly TimeSpan s_cpuWindow = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Whether threads other than the run's kept a CPU busy for most of the time since <paramref name="since"/>
    /// (stretched to <see cref="s_cpuWindow"/>): then Python code ran meanwhile, with the GIL, and quick probes only
    /// show that CPython let them in before the run's thread, which it does in no fixed order when many threads want
    /// the GIL. The run's thread may then be waiting for the GIL like them, so quick probes do not prove it blocked in C.
    /// </summary>
    private static bool OthersRanMeanwhile(Runtime.OsThread thread, TimeSpan? runCpuBefore, TimeSpan processCpuBefore, long since)
    {
        var elapsed = Stopwatch.GetElapsedTime(since);
        if (elapsed < s_cpuWindow)
        {
            Thread.Sleep(s_cpuWindow - elapsed);
            elapsed = Stopwatch.GetElapsedTime(since);
        }

        var processCpu = Environment.CpuUsage.TotalTime - processCpuBefore;
        var runCpu = thread.CpuTime() is { } after && runCpuBefore is { } before ? after - before : TimeSpan.Zero;
        return processCpu - runCpu >= elapsed / 2;
    }

    /// <summary>One GIL probe at a time per check: a probe the GIL never lets in must not be joined by more.</summary>
    private Task<TimeSpan> Probe()
    {
        var current = Volatile.Read(ref _probe);
        if (current is { IsCompleted: false })
        {
            return current;
        }

        var probe = Task.Factory.StartNew(
            static state =>
            {
                using var gil = ((PythonCheck)state!)._runtime.AcquireGil();
                using var sys = PyObject.Import("sys");
                using var interval = sys.CallMethod("getswitchinterval");
                return TimeSpan.FromSeconds(interval.As<double>());
            },
            this,
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        Volatile.Write(ref _probe, probe);
        return probe;
    }

    private static TimeSpan Threshold(TimeSpan switchInterval) =>
        switchInterval * 10 > s_contendedWait ? switchInterval * 10 : s_contendedWait;

    /// <summary>Whether the run's thread was on the CPU for at least half of <paramref name="wall"/> since <paramref name="cpuBefore"/>.</summary>
    private static bool Busy(Runtime.OsThread thread, TimeSpan? cpuBefore, TimeSpan wall) =>
        cpuBefore is { } before && thread.CpuTime() is { } now && (now - before) * 2 >= wall;

    private static string Seconds(TimeSpan wait) => $"{wait.TotalSeconds:0.###} s";

    private sealed record DiagnoseWork(PythonCheck Check, TimeSpan Patience, Action<OverrunDiagnosis, object?> Done, object? State);
}
