namespace PyChecks;

/// <summary>What <see cref="ICheckScheduler.Cancel"/> did.</summary>
public enum CheckCancelResult
{
    /// <summary>No scheduled instance has that check id.</summary>
    NotFound,

    /// <summary>The instance has no run in progress: nothing was cancelled.</summary>
    NotRunning,

    /// <summary>
    /// The run was interrupted: <c>pychecks.CheckInterrupt</c> is raised in its Python code, and the run ends, counted
    /// cancelled, at its next Python instruction (a run that was already timing out keeps its timed-out outcome).
    /// </summary>
    Interrupted,

    /// <summary>
    /// The run is stuck in C code (<see cref="CheckState.Stuck"/>), where the interrupt cannot land: the cancel is
    /// pending (<see cref="CheckStatus.CancelPending"/>) and takes effect when the run returns to Python. Nothing in
    /// the host process can end it sooner; only a check run in a process of its own could be killed.
    /// </summary>
    Pending,
}
