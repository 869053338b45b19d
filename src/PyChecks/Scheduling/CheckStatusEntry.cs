namespace PyChecks.Scheduling;

/// <summary>One instance's record; every member takes the entry's lock, so readers see whole runs.</summary>
internal sealed class CheckStatusEntry(ICheck check, string configSource, TimeSpan timeout)
{
    private readonly Lock _lock = new();
    private CheckState _state = CheckState.Scheduled;
    private DateTimeOffset? _lastStart;
    // The last run's figures, copied: a reference to its result would keep each run's objects alive until the next run,
    // long enough for the GC to promote them, and collect them only in full collections.
    private TimeSpan? _lastDuration, _lastGilWait;
    private IReadOnlyList<string> _lastWarnings = [];
    private int _lastMetrics, _lastServiceChecks, _lastEvents, _lastHistogramBuckets;
    private CheckRunOutcome _lastOutcome;
    private string? _lastError;
    private string? _lastTraceback;
    private long _runs, _errors, _timeouts, _cancelled, _skipped;
    private bool _cancelPending, _standIn;
    private TimeSpan _maxGilWait;

    public void RunStarted(DateTimeOffset at)
    {
        lock (_lock)
        {
            _state = CheckState.Running;
            _lastStart = at;
        }
    }

    public void Stuck(bool standIn)
    {
        lock (_lock)
        {
            if (_state == CheckState.Running)
            {
                _state = CheckState.Stuck;
                _standIn = standIn;
            }
        }
    }

    public void CancelRequested()
    {
        lock (_lock)
        {
            _cancelPending = true;
        }
    }

    public void Skipped(long count)
    {
        lock (_lock)
        {
            _skipped += count;
        }
    }

    public void RunEnded(CheckRunOutcome outcome, CheckRunResult? result, string? error, string? traceback)
    {
        lock (_lock)
        {
            if (_state != CheckState.Stopped)
            {
                _state = CheckState.Scheduled;
            }

            _cancelPending = false;
            _standIn = false;
            _lastDuration = result?.Duration;
            _lastGilWait = result?.GilWait;
            _lastWarnings = result?.Warnings ?? [];
            _lastMetrics = result?.Metrics ?? 0;
            _lastServiceChecks = result?.ServiceChecks ?? 0;
            _lastEvents = result?.Events ?? 0;
            _lastHistogramBuckets = result?.HistogramBuckets ?? 0;
            if (result is not null && result.GilWait > _maxGilWait)
            {
                _maxGilWait = result.GilWait;
            }

            _lastOutcome = outcome;
            _lastError = error;
            _lastTraceback = traceback;
            _runs++;
            switch (outcome)
            {
                case CheckRunOutcome.Error: _errors++; break;
                case CheckRunOutcome.TimedOut: _timeouts++; break;
                case CheckRunOutcome.Cancelled: _cancelled++; break;
            }
        }
    }

    public void Stopped()
    {
        lock (_lock)
        {
            _state = CheckState.Stopped;
        }
    }

    public CheckStatus Snapshot()
    {
        lock (_lock)
        {
            return new CheckStatus
            {
                CheckId = check.Id,
                CheckName = check.Name,
                Version = check.Version,
                Source = check.Source,
                ConfigSource = configSource,
                Interval = check.Interval,
                Timeout = timeout,
                State = _state,
                CancelPending = _cancelPending,
                StandInWorker = _standIn,
                LoadWarnings = check.LoadWarnings,
                LastRunStartedAt = _lastStart,
                LastRunDuration = _lastDuration,
                LastGilWait = _lastGilWait,
                MaxGilWait = _maxGilWait,
                LastOutcome = _lastOutcome,
                LastError = _lastError,
                LastTraceback = _lastTraceback,
                LastWarnings = _lastWarnings,
                LastMetrics = _lastMetrics,
                LastServiceChecks = _lastServiceChecks,
                LastEvents = _lastEvents,
                LastHistogramBuckets = _lastHistogramBuckets,
                TotalRuns = _runs,
                TotalErrors = _errors,
                TotalTimeouts = _timeouts,
                TotalCancelled = _cancelled,
                TotalSkipped = _skipped,
            };
        }
    }
}
