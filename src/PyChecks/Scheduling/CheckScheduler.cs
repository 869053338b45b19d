using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PyChecks.Checks;
using PyChecks.Telemetry;

namespace PyChecks.Scheduling;

/// <summary>
/// Runs each configured check instance at its interval: one loop over a queue ordered by due time, driven by
/// <see cref="TimeProvider"/>. A due instance whose previous run is still in progress is skipped and counted,
/// never queued; concurrency is bounded by the Python workers; each run has a timeout that interrupts its Python
/// code, and a run that cannot be interrupted (blocked in C) is reported stuck and a stand-in worker keeps the
/// other checks running.
/// </summary>
internal sealed partial class CheckScheduler : BackgroundService, ICheckScheduler
{
    private const int NoReason = 0, TimeoutReason = 1, CancelReason = 2;

    private readonly CheckHost _host;
    private readonly PyChecksOptions _options;
    private readonly TimeProvider _time;
    private readonly CheckStatusStore _store;
    private readonly SchedulerTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ScheduledCheck> _checks = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ScheduledCheck> _added = new();
    private readonly SemaphoreSlim _reloadLock = new(1, 1);
    private readonly PriorityQueue<ScheduledCheck, long> _queue = new();

    // Runs by timeout deadline, checked by the loop: no timer per run. Completed runs leave lazily.
    private readonly PriorityQueue<RunState, long> _deadlines = new();
    private TaskCompletionSource _wake = NewSignal();
    private TaskCompletionSource? _drained;
    private int _inFlight;
    private volatile bool _stopping;

    public CheckScheduler(CheckHost host, IOptions<PyChecksOptions> options, TimeProvider time, CheckStatusStore store, SchedulerTelemetry telemetry, ILogger logger)
    {
        _host = host;
        _options = options.Value;
        _time = time;
        _store = store;
        _telemetry = telemetry;
        _logger = logger;
        _telemetry.ObserveStandIns(() => host.Runtime.Workers.CompensatingWorkers);
    }

    public IReadOnlyList<ICheck> Checks => [.. _checks.Values.Select(static c => c.Check)];

    /// <summary>Runs in progress (including stuck ones).</summary>
    internal int InFlight => Volatile.Read(ref _inFlight);

    public async Task<CheckReloadResult> ReloadAsync(CancellationToken cancellationToken = default)
    {
        await _reloadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Reload();
        }
        finally
        {
            _reloadLock.Release();
        }
    }

    public CheckCancelResult Cancel(string checkId)
    {
        ArgumentNullException.ThrowIfNull(checkId);
        if (!_checks.TryGetValue(checkId, out var check))
        {
            return CheckCancelResult.NotFound;
        }

        return check.Current is { } run ? run.RequestCancel() : CheckCancelResult.NotRunning;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        var version = _host.Runtime.Version;
        Log.SchedulerStarted(_logger, _checks.Count, $"{version.Major}.{version.Minor}.{version.Micro}", version.LibraryPath);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        Interlocked.Exchange(ref _drained, NewSignal());
        try
        {
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await StopChecksAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wake = Volatile.Read(ref _wake);
                if (wake.Task.IsCompleted)
                {
                    wake = NewSignal();
                    Volatile.Write(ref _wake, wake);
                }

                long now = Now();
                while (_added.TryDequeue(out var added))
                {
                    _queue.Enqueue(added, added.NextDue);
                }

                while (_deadlines.TryPeek(out var overdue, out long deadline) && deadline <= now)
                {
                    _deadlines.Dequeue();
                    if (overdue.TimeoutDeadline(now) is long later && later > now)
                    {
                        _deadlines.Enqueue(overdue, later); // its timeout started when it got the GIL
                        continue;
                    }

                    overdue.Cancel(TimeoutReason);
                }

                while (_queue.TryPeek(out var check, out long due) && due <= now)
                {
                    _queue.Dequeue();
                    if (check.Removed)
                    {
                        continue;
                    }

                    Dispatch(check, due, now);
                    _queue.Enqueue(check, check.NextDue);
                }

                long next = _queue.TryPeek(out _, out long first) ? first : now + TimeSpan.TicksPerMinute;
                if (_deadlines.TryPeek(out _, out long firstDeadline) && firstDeadline < next)
                {
                    next = firstDeadline;
                }
                await WaitAsync(wake.Task, next, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            Log.SchedulerFailed(_logger, e);
            throw;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private long Now() => _time.GetUtcNow().UtcTicks;

    /// <summary>Sleeps until <paramref name="due"/> (at most a minute), or until <paramref name="wake"/> fires.</summary>
    private async Task WaitAsync(Task wake, long due, CancellationToken stoppingToken)
    {
        long delay = Math.Min(due - Now(), TimeSpan.TicksPerMinute);
        if (delay <= 0 || wake.IsCompleted)
        {
            return;
        }

        // Timers count whole milliseconds: a shorter delay would fire at once, and the loop would spin until the due time.
        delay = Math.Max(delay, TimeSpan.TicksPerMillisecond);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var sleep = Task.Delay(TimeSpan.FromTicks(delay), _time, cancel.Token);

        // The clock may have moved between reading it and arming the delay: then the delay would end late.
        if (Now() < due)
        {
            await Task.WhenAny(sleep, wake).ConfigureAwait(false);
        }

        await cancel.CancelAsync().ConfigureAwait(false);
        stoppingToken.ThrowIfCancellationRequested();
    }

    private void Wake() => Volatile.Read(ref _wake).TrySetResult();

    private void Dispatch(ScheduledCheck check, long due, long now)
    {
        long interval = check.Interval.Ticks;
        long next = due + interval;
        long skipped = 0;
        if (next <= now)
        {
            // The loop fell behind by more than an interval: the slots that went by are skipped, not caught up.
            long behind = ((now - next) / interval) + 1;
            skipped += behind;
            next += behind * interval;
        }

        check.NextDue = next;
        if (Interlocked.CompareExchange(ref check.Busy, 1, 0) != 0)
        {
            skipped++;
        }
        else
        {
            StartRun(check, due, now);
        }

        if (skipped > 0)
        {
            check.Status.Skipped(skipped);
            _telemetry.Skipped(check.Check, skipped);
            Log.RunSkipped(_logger, check.Check.Id, skipped);
        }
    }

    private void StartRun(ScheduledCheck check, long due, long now)
    {
        Interlocked.Increment(ref _inFlight);
        var run = new RunState(this, check, due, now, _time.GetTimestamp(), _telemetry.StartRun(check.Check), new CancellationTokenSource())
        {
            WaitsForGil = check.Check is Checks.PythonCheck,
        };
        check.Current = run;
        check.Status.RunStarted(_time.GetUtcNow());
        _deadlines.Enqueue(run, now + check.Timeout.Ticks);

        // Python checks complete on their worker: no task, no hop to the thread pool.
        if (check.Check is Checks.PythonCheck python
            && python.TryRunOnWorker(static (result, error, state) => ((RunState)state!).Complete(result, error), run, run.Cancellation.Token, static state => ((RunState)state!).GilAcquired()))
        {
            return;
        }

        Task<CheckRunResult> task;
        try
        {
            task = check.Check.RunAsync(run.Cancellation.Token);
        }
        catch (Exception e)
        {
            task = Task.FromException<CheckRunResult>(e);
        }

        task.ContinueWith(
            static (completed, state) => ((RunState)state!).Complete(completed),
            run,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void Completed(RunState run, CheckRunResult? result, Exception? exception)
    {
        var check = run.Check;
        var elapsed = _time.GetElapsedTime(run.DispatchTimestamp);
        int reason = run.Reason;
        CheckRunOutcome outcome;
        string? error = result?.Error;
        string? traceback = result?.Traceback;
        if (reason == TimeoutReason)
        {
            outcome = CheckRunOutcome.TimedOut;
            error = $"the run took longer than its timeout of {check.Timeout:g} and was interrupted" + (error is null ? string.Empty : $" ({error})");
        }
        else if (result is not null)
        {
            outcome = result.Succeeded ? CheckRunOutcome.Ok : reason == CancelReason ? CheckRunOutcome.Cancelled : CheckRunOutcome.Error;
        }
        else if (exception is OperationCanceledException)
        {
            outcome = CheckRunOutcome.Cancelled;
            error = "the run was cancelled before it started";
        }
        else
        {
            outcome = CheckRunOutcome.Error;
            error = exception?.Message ?? "the run failed";
            traceback = exception is PythonException python ? python.PythonTraceback : null;
        }

        // Completed before the status records the end: a cancel arriving now finds no run, and cannot stay pending.
        bool releaseStandIn = run.EndStuck();
        var duration = result?.Duration ?? elapsed;
        var queued = elapsed - duration;
        _telemetry.Lateness(check.Check, TimeSpan.FromTicks(run.DispatchedAt - run.Due) + (queued > TimeSpan.Zero ? queued : TimeSpan.Zero));
        check.Status.RunEnded(outcome, result, error, traceback);
        _telemetry.RunCompleted(check.Check, run.Activity, outcome, result, error, duration);
        switch (outcome)
        {
            case CheckRunOutcome.Error:
                Log.RunFailed(_logger, check.Check.Id, error ?? "unknown error");
                break;
            case CheckRunOutcome.TimedOut when result?.InterruptGilWait is { } gilWait && (run.GilWaitReported || gilWait >= TimeSpan.FromMilliseconds(100)):
                Log.RunTimedOutAfterGilWait(_logger, check.Check.Id, check.Timeout, gilWait);
                break;
            case CheckRunOutcome.TimedOut:
                Log.RunTimedOut(_logger, check.Check.Id, check.Timeout);
                break;
        }

        if (result is not null && _logger.IsEnabled(LogLevel.Warning))
        {
            foreach (string warning in result.Warnings)
            {
                Log.RunWarning(_logger, check.Check.Id, warning);
            }
        }

        if (releaseStandIn)
        {
            _host.Runtime.Workers.ReleaseCompensatingWorker();
            Log.RunUnstuck(_logger, check.Check.Id);
        }

        run.Cancellation.Dispose();
        check.Current = null;
        Volatile.Write(ref check.Busy, 0);
        if (check.Removed)
        {
            check.DisposeOnce();
        }

        if (Interlocked.Decrement(ref _inFlight) == 0 && _stopping)
        {
            Volatile.Read(ref _drained)?.TrySetResult();
        }
    }

    private void OnStuck(RunState run)
    {
        // A Python run may only be waiting for the GIL (held by other threads): not stuck, and a stand-in would wait too.
        if (run.Check.Check is Checks.PythonCheck python && !_stopping)
        {
            python.DiagnoseOverrun(_options.StuckRunGrace, static (verdict, state) => ((RunState)state!).Diagnosed(verdict), run);
            return;
        }

        MarkStuck(run, "blocked in C code, which cannot be interrupted");
    }

    private void Diagnosed(RunState run, OverrunDiagnosis verdict)
    {
        if (verdict.Cause == OverrunCause.InC)
        {
            MarkStuck(run, verdict.Detail);
        }
        else if (run.WatchAgain() is true)
        {
            Log.RunWaitingForGil(_logger, run.Check.Check.Id, run.Check.Timeout, verdict.Detail);
        }
    }

    private void MarkStuck(RunState run, string cause)
    {
        bool limitReached = false;
        if (run.BeginStuck(() => !_stopping && _host.Runtime.Workers.AddCompensatingWorker(_options.MaxStandInWorkers, out limitReached)) is not bool started)
        {
            return;
        }

        var check = run.Check;
        check.Status.Stuck(started);
        _telemetry.Stuck(check.Check);
        if (limitReached)
        {
            _telemetry.StandInLimitReached();
            Log.StandInLimitReached(_logger, _options.MaxStandInWorkers, check.Check.Id);
        }

        Log.RunStuck(_logger, check.Check.Id, _time.GetElapsedTime(run.DispatchTimestamp), cause, StandInMessage(started));
    }

    /// <summary>What a stuck run's log says about its stand-in worker.</summary>
    private string StandInMessage(bool started) => started
        ? "a stand-in worker was started so that other checks keep running"
        : $"no stand-in worker was started (limit of {_options.MaxStandInWorkers} reached, or stopping); other checks share the remaining workers";

    private CheckReloadResult Reload()
    {
        var (instances, readErrors) = _host.ReadConfiguredInstances();
        var errors = readErrors.Select(static e => e.Message).ToList();
        var changedModules = _host.InvalidateChangedModules();

        var wanted = new Dictionary<string, CheckInstanceConfig>(StringComparer.Ordinal);
        foreach (var instance in instances)
        {
            if (!wanted.TryAdd(instance.CheckId, instance))
            {
                errors.Add($"{instance.Source}{(instance.Line is int line ? $", line {line}" : string.Empty)}: instance {instance.CheckId} is configured twice (also in {wanted[instance.CheckId].Source}); the second is ignored");
            }
        }

        var removed = new List<string>();
        var replaced = new List<string>();
        var added = new List<string>();
        foreach (var (id, existing) in _checks)
        {
            if (!wanted.TryGetValue(id, out var config))
            {
                Unschedule(existing);
                removed.Add(id);
            }
            else if (changedModules.Contains(existing.Check.Name))
            {
                Unschedule(existing);
                if (TrySchedule(config, errors))
                {
                    replaced.Add(id);
                }
                else
                {
                    removed.Add(id);
                }
            }
        }

        int unchanged = 0;
        foreach (var (id, config) in wanted)
        {
            if (_checks.ContainsKey(id))
            {
                unchanged += replaced.Contains(id) ? 0 : 1;
            }
            else if (TrySchedule(config, errors))
            {
                added.Add(id);
            }
        }

        foreach (string error in errors)
        {
            Log.CheckLoadFailed(_logger, error);
        }

        _store.SetLoadErrors(errors);
        Log.Reloaded(_logger, added.Count, removed.Count, replaced.Count, unchanged, errors.Count);
        return new CheckReloadResult(added, removed, replaced, unchanged, errors);
    }

    private bool TrySchedule(CheckInstanceConfig config, List<string> errors)
    {
        ICheck loaded;
        try
        {
            loaded = _host.Load(config);
        }
        catch (CheckLoadException e)
        {
            errors.Add(e.Message);
            return false;
        }

        var timeout = config.RunTimeout ?? _options.RunTimeout ?? loaded.Interval;
        var jitterLimit = Math.Min(loaded.Interval.Ticks, _options.MaxStartJitter.Ticks);
        var firstRun = TimeSpan.FromTicks(jitterLimit <= 0 ? 0 : Random.Shared.NextInt64(jitterLimit + 1));
        var check = new ScheduledCheck(loaded, timeout, _store.Add(loaded, config.Source, timeout))
        {
            NextDue = Now() + firstRun.Ticks,
        };
        _checks[loaded.Id] = check;
        _added.Enqueue(check);
        Wake();
        Log.CheckScheduled(_logger, loaded.Id, loaded.Interval, timeout, firstRun);
        return true;
    }

    /// <summary>Whether the instance is scheduled and has no run in progress (its last run fully recorded and released).</summary>
    internal bool IsIdle(string checkId) => _checks.TryGetValue(checkId, out var check) && Volatile.Read(ref check.Busy) == 0;

    private void Unschedule(ScheduledCheck check)
    {
        check.Removed = true;
        _checks.TryRemove(new KeyValuePair<string, ScheduledCheck>(check.Check.Id, check));
        _store.Remove(check.Check.Id);
        check.Status.Stopped();
        if (Volatile.Read(ref check.Busy) == 0)
        {
            check.DisposeOnce();
        }

        Log.CheckUnscheduled(_logger, check.Check.Id);
    }

    private async Task StopChecksAsync(CancellationToken cancellationToken)
    {
        var checks = _checks.Values.ToArray();
        Log.SchedulerStopping(_logger, InFlight);
        foreach (var check in checks)
        {
            check.Current?.Cancel(CancelReason);
        }

        // cancel() is the check's own code and may block: off this thread, so the wait below stays bounded.
        var cancelling = Task.Run(
            () =>
            {
                foreach (var check in checks)
                {
                    try
                    {
                        check.Check.Cancel();
                    }
                    catch (Exception e)
                    {
                        Log.RunFailed(_logger, check.Check.Id, $"cancel() failed: {e.Message}");
                    }
                }
            },
            CancellationToken.None);

        var drained = InFlight > 0 && Volatile.Read(ref _drained) is { } signal ? signal.Task : Task.CompletedTask;
        try
        {
            await Task.WhenAll(cancelling, drained).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out; runs still in progress are released when they return.
        }

        foreach (var check in checks)
        {
            check.Removed = true;
            check.Status.Stopped();
            if (Volatile.Read(ref check.Busy) == 0)
            {
                check.DisposeOnce();
            }
        }
    }

    /// <summary>One instance in the schedule.</summary>
    private sealed class ScheduledCheck(ICheck check, TimeSpan timeout, CheckStatusEntry status)
    {
        public int Busy;
        private int _disposed;

        public ICheck Check { get; } = check;

        public TimeSpan Interval { get; } = check.Interval > TimeSpan.Zero ? check.Interval : TimeSpan.FromSeconds(1);

        public TimeSpan Timeout { get; } = timeout;

        public CheckStatusEntry Status { get; } = status;

        public long NextDue { get; set; }

        public volatile bool Removed;

        public RunState? Current { get; set; }

        public void DisposeOnce()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Check.Dispose();
            }
        }
    }

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
