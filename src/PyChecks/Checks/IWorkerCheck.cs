namespace PyChecks.Checks;

/// <summary>
/// What the scheduler uses of a check that runs on a Python worker, beyond <see cref="ICheck"/>: a run that completes
/// on its worker with its timeout starting once it has the GIL, a diagnosis of a run past its timeout, and capture of
/// its submissions for a run-once. A host's own <see cref="ICheck"/> has none of these: its timeout starts at dispatch,
/// a run that does not return after its cancel is reported stuck without a diagnosis, and a run-once captures nothing.
/// </summary>
internal interface IWorkerCheck : ICapturingCheck
{
    /// <summary>
    /// Runs the check on a Python worker, then calls <paramref name="completed"/> on that worker, outside the GIL, with
    /// the result or the exception (an <see cref="OperationCanceledException"/> when cancelled before it started).
    /// </summary>
    /// <param name="completed">Called on the worker when the run has ended.</param>
    /// <param name="state">Passed to the callbacks.</param>
    /// <param name="cancellationToken">Cancels the run (an interrupt once it has started).</param>
    /// <param name="acquired">Called on the worker, with the GIL held, the moment the run has it: its timeout starts then.</param>
    /// <param name="deferWake">
    /// Queue the run without waking a worker: the caller queues several, then wakes one worker for them all
    /// (<c>PythonWorkerPool.WakeForQueued</c>).
    /// </param>
    /// <returns>Whether the run was queued: false when the check is disposed or running, or the runtime is stopping.</returns>
    bool TryRunOnWorker(Action<CheckRunResult?, Exception?, object?> completed, object? state, CancellationToken cancellationToken, Action<object?>? acquired = null, bool deferWake = false);

    /// <summary>Judges, off the caller's thread, why the run in progress has not returned since its interrupt, and calls <paramref name="done"/> with the verdict.</summary>
    /// <param name="patience">How long each probe of the GIL waits at most.</param>
    /// <param name="done">Called with the verdict, on a thread-pool thread.</param>
    /// <param name="state">Passed to <paramref name="done"/>.</param>
    void DiagnoseOverrun(TimeSpan patience, Action<OverrunDiagnosis, object?> done, object? state);
}
