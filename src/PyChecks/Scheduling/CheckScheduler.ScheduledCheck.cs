namespace PyChecks.Scheduling;

/// <summary>The schedule's entries.</summary>
internal sealed partial class CheckScheduler
{
    /// <summary>One instance in the schedule.</summary>
    private sealed class ScheduledCheck(ICheck check, TimeSpan timeout, CheckStatusEntry status)
    {
        public int Busy;
        private int _disposed;
        private RunState? _current;

        public ICheck Check { get; } = check;

        public TimeSpan Interval { get; } = check.Interval > TimeSpan.Zero ? check.Interval : TimeSpan.FromSeconds(1);

        public TimeSpan Timeout { get; } = timeout;

        public CheckStatusEntry Status { get; } = status;

        public long NextDue { get; set; }

        public volatile bool Removed;

        /// <summary>Runs due at or after this (clock ticks) do not start: the instance runs elsewhere from then on (see <see cref="CheckPlacement.RunsUntil"/>).</summary>
        public long StopAt = long.MaxValue;

        /// <summary>The token source of the last run, when nobody cancelled it: the next run's.</summary>
        public CancellationTokenSource? SpareCancellation;

        /// <summary>The run in progress; set by the loop as it starts, cleared on the run's worker as it ends.</summary>
        public RunState? Current
        {
            get => Volatile.Read(ref _current);
            set => Volatile.Write(ref _current, value);
        }

        /// <summary>Runs started so far: the number of the latest (loop thread only).</summary>
        public long RunsStarted { get; set; }

        public void DisposeOnce()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Exchange(ref SpareCancellation, null)?.Dispose();
                Check.Dispose();
            }
        }
    }
}
