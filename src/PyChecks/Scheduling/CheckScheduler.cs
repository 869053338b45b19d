using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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

    /// <summary>The loop's shortest sleep: runs falling due within it start together, at its end.</summary>
    private static readonly TimeSpan MinimumSleep = TimeSpan.FromMilliseconds(4);

    /// <summary>
    /// How long runs may stay queued, while a worker waits, before the loop looks again whether the workers awake got
    /// through them (the pool wakes another if not): <see cref="MinimumSleep"/> while the workers keep up, this once a
    /// look found them behind (a worker blocked, or a machine whose cores are busy with other work).
    /// </summary>
    private static readonly TimeSpan BacklogPatience = TimeSpan.FromMilliseconds(1);

    // The patience of the loop's next wait: BacklogPatience after a look that found the workers behind, MinimumSleep after
    // one that did not. A look is a wake-up of the loop; while the workers keep up, one per pass is enough. Loop thread only.
    private TimeSpan _patience = BacklogPatience;

    private readonly CheckHost _host;
    private readonly PyChecksOptions _options;
    private readonly TimeProvider _time;
    private readonly CheckStatusStore _store;
    private readonly SchedulerTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ScheduledCheck> _checks = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ScheduledCheck> _added = new();
    private readonly SemaphoreSlim _reloadLock = new(1, 1);
    private readonly TimeQueue<ScheduledCheck> _queue = new();

    // Runs by timeout deadline, checked by the loop: no timer per run. Completed runs leave lazily; an entry names the
    // instance and its run's number, not the run, so that a completed run is garbage at once and not kept for its timeout.
    private readonly TimeQueue<(ScheduledCheck Check, long Run)> _deadlines = new();

    // The runs the last pass started, with their deadlines: the next pass moves those still in progress to _deadlines.
    // Most runs end within a pass, so most never enter it (a queue of every run's deadline held an entry per run for a
    // whole timeout: 10,000 entries at 10,000 runs/s and 1 s, 300,000 at 30 s). Loop thread only.
    private readonly List<(ScheduledCheck Check, long Run, long Deadline)> _started = [];

    // Set to end the loop's wait early; no spinning: the loop waits far longer than a spin would last.
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 0);
    private TaskCompletionSource? _drained;
    private int _inFlight;
    private long _sweptTo;
    private volatile bool _stopping;

    public CheckScheduler(CheckHost host, IOptions<PyChecksOptions> options, TimeProvider time, CheckStatusStore store, SchedulerTelemetry telemetry, ILogger logger, CheckPlacement? placement = null)
    {
        _placement = placement;
        placement?.Attach(PlacementChanged);
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

    /// <summary>The clock's time (UTC ticks) at the loop's last pass: every run due by then has been started or counted skipped.</summary>
    internal long SweptTo => Volatile.Read(ref _sweptTo);

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
        try
        {
            _placement?.OnStopping();
        }
        catch (Exception e)
        {
            Log.CheckLoadFailed(_logger, $"the placement failed as the scheduler stopped: {e.Message}");
        }

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

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A thread of its own: a loop on the thread pool paid for a timer and a pool thread's wake-up (and its spinning)
        // at every pass, which at thousands of runs per second cost more than the runs.
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Loop(stoppingToken);
                ended.TrySetResult();
            }
            catch (Exception e)
            {
                Log.SchedulerFailed(_logger, e);
                ended.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "PyChecks scheduler",
        };
        thread.Start();
        return ended.Task;
    }

    private void Loop(CancellationToken stoppingToken)
    {
        using var stopping = stoppingToken.UnsafeRegister(static s => ((CheckScheduler)s!).Wake(), this);
        using var timer = _time == TimeProvider.System ? null : _time.CreateTimer(static s => ((CheckScheduler)s!).Wake(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        while (!stoppingToken.IsCancellationRequested)
        {
            _wake.Reset();
            long next = Pass(out bool backlog);
            Wait(next, timer, backlog);
        }
    }

    /// <summary>
    /// One pass of the loop: queues the added instances, interrupts the runs past their timeout, starts or skips the
    /// due runs, and wakes a worker for them. A method of its own, compiled like any other: the loop's body, run once
    /// per call of a method that never returns, would only ever get the less optimized on-stack-replacement code.
    /// </summary>
    /// <returns>When the next pass is due (clock ticks).</returns>
    private long Pass(out bool backlog)
    {
        long now = Now();
        while (_added.TryDequeue(out var added))
        {
            _queue.Enqueue(added, added.NextDue);
        }

        foreach (var (started, number, deadline) in _started)
        {
            if (started.Current is { } running && running.Number == number)
            {
                _deadlines.Enqueue((started, number), deadline);
            }
        }

        _started.Clear();
        while (_deadlines.TryTakeDue(now, out var entry, out _))
        {
            if (entry.Check.Current is not { } overdue || overdue.Number != entry.Run)
            {
                continue; // completed
            }

            if (overdue.TimeoutDeadline(now) is long later && later > now)
            {
                _deadlines.Enqueue(entry, later); // its timeout started when it got the GIL
                continue;
            }

            overdue.Cancel(TimeoutReason);
        }

        while (_queue.TryTakeDue(now, out var check, out long due))
        {
            if (check.Removed)
            {
                continue;
            }

            if (due >= Volatile.Read(ref check.StopAt))
            {
                // Due at or after the instance's StopAt: it runs elsewhere (not a skip). The next slot stays queued, in case
                // the placement keeps the instance here after all; else the placement unschedules it.
                NextSlot(check, due, now);
            }
            else
            {
                Dispatch(check, due, now);
            }

            _queue.Enqueue(check, check.NextDue);
        }

        Volatile.Write(ref _sweptTo, now);

        // One worker for the pass's runs; another joins at a later pass if the runs queued at this one are still queued.
        backlog = _host.Runtime.Workers.WakeForQueued(out bool behind);
        _patience = behind ? BacklogPatience : MinimumSleep;
        long next = _queue.TryPeek(out _, out long first) ? first : now + TimeSpan.TicksPerMinute;
        if (_deadlines.TryPeek(out _, out long firstDeadline) && firstDeadline < next)
        {
            next = firstDeadline;
        }

        foreach (var (_, _, deadline) in _started)
        {
            next = Math.Min(next, deadline); // this pass's runs: in no queue until the next pass
        }

        return next;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private long Now() => _time.GetUtcNow().UtcTicks;

    /// <summary>
    /// Sleeps until <paramref name="due"/> (at most a minute), or until woken (<see cref="Wake"/>: an instance added, or
    /// stopping). On the system clock the wait itself times out; on another clock, <paramref name="timer"/> (the clock's) wakes it.
    /// With a <paramref name="backlog"/> of queued runs that a waiting worker could take, it sleeps at most the current
    /// patience (<see cref="BacklogPatience"/> once the workers were found behind, <see cref="MinimumSleep"/> while they keep
    /// up) of real time, on any clock: runs queued behind a slow one wait no longer for another worker.
    /// </summary>
    private void Wait(long due, ITimer? timer, bool backlog)
    {
        long delay = Math.Min(due - Now(), TimeSpan.TicksPerMinute);
        if (delay <= 0 || _wake.IsSet)
        {
            return;
        }

        int patience = backlog ? (int)_patience.TotalMilliseconds : Timeout.Infinite;

        // Timers count whole milliseconds: a shorter delay would fire at once, and the loop would spin until the due time.
        // Longer still: each pass costs a wake-up of this thread and of a worker, so a pass takes the runs of a few
        // milliseconds together (they start up to that much late; lateness is measured and reported).
        delay = Math.Max(delay, MinimumSleep.Ticks);
        if (timer is null)
        {
            int milliseconds = (int)((delay + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond);
            _wake.Wait(backlog ? Math.Min(milliseconds, patience) : milliseconds);
            return;
        }

        timer.Change(TimeSpan.FromTicks(delay), Timeout.InfiniteTimeSpan);

        // The clock may have moved between reading it and arming the timer: then the timer would fire late.
        if (Now() < due)
        {
            _wake.Wait(patience);
        }

        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private void Wake() => _wake.Set();

    /// <summary>Whether the instance is scheduled and has no run in progress (its last run fully recorded and released).</summary>
    internal bool IsIdle(string checkId) => _checks.TryGetValue(checkId, out var check) && Volatile.Read(ref check.Busy) == 0;

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
}
