using System.Diagnostics;
using PyChecks.Checks;

namespace PyChecks.Scheduling;

/// <summary>The runs in progress.</summary>
internal sealed partial class CheckScheduler
{
    /// <summary>One run in progress: its timeout, why it was cancelled, whether it got stuck.</summary>
    private sealed class RunState(CheckScheduler scheduler, ScheduledCheck check, long due, long dispatchedAt, long dispatchTimestamp, Activity? activity, CancellationTokenSource cancellation)
    {
        private readonly Lock _lock = new();
        private int _reason;
        private bool _completed;
        private bool _stuck;
        private bool _compensated;
        private bool _gilWaitReported;
        private long _gilAcquiredAt;
        private ITimer? _stuckTimer;

        public ScheduledCheck Check { get; } = check;

        public long Due { get; } = due;

        public long DispatchedAt { get; } = dispatchedAt;

        public long DispatchTimestamp { get; } = dispatchTimestamp;

        public Activity? Activity { get; } = activity;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public int Reason => Volatile.Read(ref _reason);

        /// <summary>Whether the run has been reported stuck and has not returned.</summary>
        public bool IsStuck
        {
            get
            {
                lock (_lock)
                {
                    return _stuck && !_completed;
                }
            }
        }

        /// <summary>
        /// A cancel asked from outside (<see cref="ICheckScheduler.Cancel"/>): interrupts the run unless a timeout already
        /// did, and records the cancel as pending until the run ends. A stuck run takes it when it returns to Python.
        /// </summary>
        public CheckCancelResult RequestCancel()
        {
            bool stuck;
            lock (_lock)
            {
                if (_completed)
                {
                    return CheckCancelResult.NotRunning;
                }

                Check.Status.CancelRequested();
                stuck = _stuck;
            }

            Cancel(CancelReason);
            return stuck ? CheckCancelResult.Pending : CheckCancelResult.Interrupted;
        }

        /// <summary>The run's number among its instance's runs (1 for the first).</summary>
        public long Number { get; init; }

        /// <summary>Whether the run waits for the GIL before it starts (a Python run), its timeout starting only once it has it.</summary>
        public bool WaitsForGil { get; init; }

        /// <summary>Called on the worker, with the GIL held, as the run starts.</summary>
        public void GilAcquired() => Volatile.Write(ref _gilAcquiredAt, scheduler.Now());

        /// <summary>When the run's timeout expires (clock ticks): from dispatch, or for a Python run from when it got the GIL.</summary>
        public long TimeoutDeadline(long now)
        {
            if (!WaitsForGil)
            {
                return DispatchedAt + Check.Timeout.Ticks;
            }

            long acquired = Volatile.Read(ref _gilAcquiredAt);
            return (acquired == 0 ? now : acquired) + Check.Timeout.Ticks;
        }

        /// <summary>
        /// Cancels the run for <paramref name="reason"/> unless it was already cancelled or has completed; a timeout
        /// or a cancel also starts the watch that reports the run stuck if it does not return within the grace period.
        /// </summary>
        public bool Cancel(int reason)
        {
            lock (_lock)
            {
                if (_completed || Interlocked.CompareExchange(ref _reason, reason, NoReason) != NoReason)
                {
                    return false;
                }

                // A cancelled run blocked in C is as stuck as a timed-out one; at shutdown nobody is left to tell.
                if (reason == TimeoutReason || (reason == CancelReason && !scheduler._stopping))
                {
                    _stuckTimer = scheduler._time.CreateTimer(static s => ((RunState)s!).StuckTimerFired(), this, scheduler._options.StuckRunGrace, System.Threading.Timeout.InfiniteTimeSpan);
                }
            }

            // Outside the lock: cancelling runs the token's callbacks (the check's interrupt request) on this thread.
            try
            {
                Cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                return false; // it has just completed
            }

            return true;
        }

        public void Complete(Task<CheckRunResult> task) =>
            scheduler.Completed(this, task.IsCompletedSuccessfully ? task.Result : null, task.IsCanceled ? new OperationCanceledException() : task.Exception?.InnerException);

        public void Complete(CheckRunResult? result, Exception? exception) => scheduler.Completed(this, result, exception);

        /// <summary>Marks a run still in progress stuck and starts its stand-in; <see langword="null"/> if it has completed meanwhile.</summary>
        /// <param name="compensate">Starts a stand-in worker; says whether it did.</param>
        public bool? BeginStuck(Func<bool> compensate)
        {
            lock (_lock)
            {
                if (_completed || _stuck)
                {
                    return null;
                }

                _stuck = true;
                _compensated = compensate();
                return _compensated;
            }
        }

        /// <summary>Marks the run completed; true when it had been stuck with a stand-in worker to release.</summary>
        public bool EndStuck()
        {
            lock (_lock)
            {
                _completed = true;
                _stuckTimer?.Dispose();
                return _stuck && _compensated;
            }
        }

        /// <summary>
        /// The run is past its timeout only for want of the GIL: watch it again after another grace period. True the first
        /// time (to log once per run), false after; <see langword="null"/> if it has completed meanwhile.
        /// </summary>
        public bool? WatchAgain()
        {
            lock (_lock)
            {
                if (_completed || _stuck)
                {
                    return null;
                }

                _stuckTimer?.Dispose();
                _stuckTimer = scheduler._time.CreateTimer(static s => ((RunState)s!).StuckTimerFired(), this, scheduler._options.StuckRunGrace, System.Threading.Timeout.InfiniteTimeSpan);
                bool first = !_gilWaitReported;
                _gilWaitReported = true;
                return first;
            }
        }

        /// <summary>Whether the run was found past its timeout for want of the GIL.</summary>
        public bool GilWaitReported
        {
            get
            {
                lock (_lock)
                {
                    return _gilWaitReported;
                }
            }
        }

        public void Diagnosed(OverrunDiagnosis verdict) => scheduler.Diagnosed(this, verdict);

        private void StuckTimerFired() => scheduler.OnStuck(this);
    }
}
