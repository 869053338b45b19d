namespace PyChecks.Checks.Isolation;

/// <summary>How a run of a Process-mode check reaches its worker, and how it is interrupted there.</summary>
internal sealed partial class WorkerProcessPool
{
    /// <summary>
    /// Sends <paramref name="run"/> to its check's worker, loading the check there first (or starting the worker) when
    /// needed; the run's end completes it. A check loaded in a live worker is sent from the calling thread: no task and
    /// no hop to the thread pool.
    /// </summary>
    public void StartRun(ProcessCheck check, PendingRun run, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            run.Registration = cancellationToken.UnsafeRegister(static s => ((PendingRun)s!).RequestCancel(), run);
        }

        var ready = WorkerAsync(check.Slot, CancellationToken.None);
        if (ready.IsCompletedSuccessfully && ready.Result is var worker && check.LoadedGeneration == worker.Generation)
        {
            Send(worker, run);
            return;
        }

        _ = StartRunAsync(check, run, cancellationToken);
    }

    private void Send(WorkerProcess worker, PendingRun run)
    {
        worker.Run(run);
        run.OnCancel(r => Interrupt(worker, r));
    }

    private async Task StartRunAsync(ProcessCheck check, PendingRun run, CancellationToken cancellationToken)
    {
        try
        {
            var (worker, notLoaded) = await LoadedWorkerAsync(check, cancellationToken).ConfigureAwait(false);
            if (worker is null)
            {
                check.End(run, new CheckRunResult
                {
                    CheckId = check.Id,
                    Error = notLoaded,
                    StartedAt = run.StartedAt,
                    Duration = DateTimeOffset.UtcNow - run.StartedAt,
                }, crashed: false);
                return;
            }

            Send(worker, run);
        }
        catch (OperationCanceledException)
        {
            check.End(run, new CheckRunResult
            {
                CheckId = check.Id,
                Error = "the run was interrupted before its worker process could take it",
                Interrupted = true,
                StartedAt = run.StartedAt,
                Duration = DateTimeOffset.UtcNow - run.StartedAt,
            }, crashed: false);
        }
        catch (WorkerStartException e)
        {
            check.End(run, new CheckRunResult
            {
                CheckId = check.Id,
                Error = $"its worker process could not be started: {e.Message}",
                StartedAt = run.StartedAt,
                Duration = DateTimeOffset.UtcNow - run.StartedAt,
            }, crashed: false);
        }
    }

    // The run's timeout (or a cancel): the worker interrupts it as in process; if it has not ended after the grace
    // period it is stuck in C, and only killing its worker ends it.
    private void Interrupt(WorkerProcess worker, PendingRun run)
    {
        worker.Cancel(run);
        _ = Task.Delay(_stuckGrace, _stopping.Token).ContinueWith(
            _ =>
            {
                if (!run.Task.IsCompleted && worker.IsAlive)
                {
                    worker.Kill($"the run of {run.Check.Id} did not end within {_stuckGrace.TotalSeconds:0.##} s of its interrupt (stuck in C code)");
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
    }

    // The check's worker, with the check loaded into it; or, when the worker started but the check did not load into it
    // (its file changed and no longer loads, or the worker ended meanwhile), no worker and why: not a start failure.
    private async Task<(WorkerProcess? Worker, string? NotLoaded)> LoadedWorkerAsync(ProcessCheck check, CancellationToken cancellationToken)
    {
        var worker = await WorkerAsync(check.Slot, cancellationToken).ConfigureAwait(false);
        if (check.LoadedGeneration == worker.Generation)
        {
            return (worker, null);
        }

        check.ReceivedStrings.Clear();
        check.ReceivedSequence = 0;
        var answer = await worker.LoadAsync(check.Handle, check.Config, cancellationToken).ConfigureAwait(false);
        if (answer.Identity is not { } identity)
        {
            return (null, $"the check did not load again in its new worker process (pid {worker.Pid}): {string.Join("; ", answer.Errors.Select(static e => e.Error))}");
        }

        check.Reloaded(identity);
        check.LoadedGeneration = worker.Generation;
        return (worker, null);
    }
}
