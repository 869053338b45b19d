using Microsoft.Extensions.Logging;
using PyChecks.Checks;

namespace PyChecks.Scheduling;

/// <summary>Starting due runs, skipping those whose previous run is still in progress, and recording each run's end.</summary>
internal sealed partial class CheckScheduler
{
    private void Dispatch(ScheduledCheck check, long due, long now)
    {
        long skipped = NextSlot(check, due, now);
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

    // Sets the next due time after the slot due at due; returns how many slots went by without a run (the loop fell behind).
    private static long NextSlot(ScheduledCheck check, long due, long now)
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
        return skipped;
    }

    private void StartRun(ScheduledCheck check, long due, long now)
    {
        Interlocked.Increment(ref _inFlight);
        var cancellation = Interlocked.Exchange(ref check.SpareCancellation, null) ?? new CancellationTokenSource();
        var run = new RunState(this, check, due, now, _time.GetTimestamp(), _telemetry.StartRun(check.Check), cancellation)
        {
            WaitsForGil = check.Check is IWorkerCheck,
            Number = ++check.RunsStarted,
        };
        check.Current = run;
        check.Status.RunStarted(new DateTimeOffset(now, TimeSpan.Zero)); // the pass's clock reading: no second one per run
        long deadline = now + check.Timeout.Ticks;
        _started.Add((check, run.Number, deadline));

        // Python checks complete on their worker: no task, no hop to the thread pool. Queued only: the loop wakes one
        // worker for all the runs of its pass.
        if (check.Check is IWorkerCheck worker
            && worker.TryRunOnWorker(static (result, error, state) => ((RunState)state!).Complete(result, error), run, run.Cancellation.Token, static state => ((RunState)state!).GilAcquired(), deferWake: true))
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

        // A run nobody cancelled leaves its token source to the next: no canceller can reach it any more (a cancel takes
        // the run's reason before it cancels, and none is taken once the run is completed), and a Python check's run
        // has unregistered what it registered. Any other check might keep a registration: its source is not reused.
        if (run.Reason == NoReason && check.Check is IWorkerCheck && run.Cancellation.TryReset())
        {
            Volatile.Write(ref check.SpareCancellation, run.Cancellation);
        }
        else
        {
            run.Cancellation.Dispose();
        }

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
}
