using System.Diagnostics;

namespace PyChecks.Checks;

/// <summary>
/// Telling a run stuck in C from one that only waits for the GIL. CPython reports no thread's GIL wait, so PyChecks
/// measures its own: how long the interrupt waits to be raised, how long a probe waits to take the GIL, and how much CPU
/// the run's thread burns meanwhile.
/// </summary>
internal sealed partial class PythonCheck
{
    // A probe that waits this long (or ten switch intervals, if longer) for the GIL found it held by others.
    private static readonly TimeSpan s_contendedWait = TimeSpan.FromMilliseconds(50);

    /// <summary>The run's token fired: the interrupt is on its way to the GIL. Called on the canceller's thread.</summary>
    private void InterruptRequested()
    {
        Volatile.Write(ref _cpuAtRequest, _runClock.Read()?.Ticks ?? -1);
        Volatile.Write(ref _interruptRequestedAt, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// Judges, off the caller's thread, why the run in progress has not returned since its interrupt was requested, and
    /// calls <paramref name="done"/> with the verdict (on a thread-pool thread; waits at most <paramref name="patience"/>).
    /// </summary>
    /// <remarks>
    /// <para>Interrupt not raised yet: the interrupt is waiting for the GIL. If the run's thread burned at least half the
    /// time since on the CPU, the run itself holds the GIL in C code; otherwise other threads hold it.</para>
    /// <para>Interrupt raised: a probe takes the GIL. If it gets it at once (within ten switch intervals, at least 50 ms),
    /// the run could have taken it too, so it is in C code, blocked. If the probe waits longer, the GIL is held: by the run
    /// if its thread was on the CPU meanwhile, by other threads if not, and then the run waits its turn to see the interrupt.</para>
    /// </remarks>
    internal void DiagnoseOverrun(TimeSpan patience, Action<OverrunDiagnosis, object?> done, object? state) =>
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

    private OverrunDiagnosis Diagnose(TimeSpan patience)
    {
        long requestedAt = Volatile.Read(ref _interruptRequestedAt);
        var clock = _runClock;
        if (requestedAt == 0)
        {
            return new OverrunDiagnosis(OverrunCause.InC, TimeSpan.Zero, InCBlocked);
        }

        if (Volatile.Read(ref _interruptSetAt) == 0)
        {
            var waited = Stopwatch.GetElapsedTime(requestedAt);
            long cpuAtRequest = Volatile.Read(ref _cpuAtRequest);
            return Busy(clock, cpuAtRequest < 0 ? null : TimeSpan.FromTicks(cpuAtRequest), waited)
                ? new OverrunDiagnosis(OverrunCause.InC, waited, InCHoldingGil)
                : new OverrunDiagnosis(OverrunCause.WaitingForGil, waited, $"its interrupt waited {Seconds(waited)} for the GIL held by other threads");
        }

        var cpuBefore = clock.Read();
        long probing = Stopwatch.GetTimestamp();
        var probe = Probe();
        bool got = probe.Wait(patience);
        var wait = Stopwatch.GetElapsedTime(probing);
        if (got && wait < Threshold(probe.Result))
        {
            return new OverrunDiagnosis(OverrunCause.InC, wait, InCBlocked);
        }

        return Busy(clock, cpuBefore, wait)
            ? new OverrunDiagnosis(OverrunCause.InC, wait, InCHoldingGil)
            : new OverrunDiagnosis(OverrunCause.WaitingForGil, wait, $"interrupted, it waited {Seconds(wait)} for the GIL held by other threads to see the interrupt");
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
    private static bool Busy(Runtime.ThreadCpuClock clock, TimeSpan? cpuBefore, TimeSpan wall) =>
        cpuBefore is { } before && clock.Read() is { } now && (now - before) * 2 >= wall;

    private static string Seconds(TimeSpan wait) => $"{wait.TotalSeconds:0.###} s";

    private sealed record DiagnoseWork(PythonCheck Check, TimeSpan Patience, Action<OverrunDiagnosis, object?> Done, object? State);
}
