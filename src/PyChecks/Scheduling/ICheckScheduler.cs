namespace PyChecks;

/// <summary>
/// Runs every configured check instance at its interval. Registered by <c>services.AddPyChecks(…)</c>, which also
/// starts it as a hosted service; what it does is visible in <see cref="ICheckStatusStore"/>.
/// </summary>
public interface ICheckScheduler
{
    /// <summary>The scheduled check instances.</summary>
    IReadOnlyList<ICheck> Checks { get; }

    /// <summary>
    /// Reads the configuration again (<see cref="PyChecksOptions.ConfigDirectory"/> and
    /// <see cref="PyChecksOptions.Checks"/>): new instances are loaded and scheduled, removed ones stop (after
    /// their current run) and are disposed, changed ones are replaced, and check modules whose file changed are
    /// imported again, with their instances replaced.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for another reload in progress.</param>
    /// <returns>What changed.</returns>
    Task<CheckReloadResult> ReloadAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs every configured instance of the check named <paramref name="checkName"/> once, now, outside the schedule,
    /// as fresh instances loaded from the current configuration: what they submit is captured in the report and
    /// does not reach the senders (as Datadog's <c>agent check</c>). Each run has the instance's usual timeout, and is
    /// waited for at most that timeout plus <see cref="PyChecksOptions.StuckRunGrace"/>: a run still in progress then
    /// is blocked in C code; it is left running, reported <see cref="CheckInstanceRun.Stuck"/>, and further run-onces
    /// of the check are refused until it returns. A check that an <see cref="ICheckLoader"/> of the host provides is run
    /// the same way, but what it submits goes wherever it sends it: the report holds its result only.
    /// </summary>
    /// <param name="checkName">A check name that the configuration names; nothing else is ever imported.</param>
    /// <param name="cancellationToken">Interrupts the runs.</param>
    /// <returns>The runs, or <see langword="null"/> when no configured instance has that check name.</returns>
    /// <exception cref="CheckStuckException">
    /// A run of the check (scheduled, or a previous run-once) is stuck in C code: nothing was run, since a fresh instance
    /// would most likely block the same way.
    /// </exception>
    Task<CheckRunReport?> RunOnceAsync(string checkName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels the current run of an instance: its Python code is interrupted (<c>pychecks.CheckInterrupt</c>) and the
    /// run counts as cancelled. The instance stays scheduled. A run stuck in C code cannot be interrupted there: the
    /// cancel stays pending (<see cref="CheckStatus.CancelPending"/>) and takes effect when the run returns to Python.
    /// </summary>
    /// <param name="checkId">The instance's check id.</param>
    /// <returns>What was done: nothing (no such instance, no run in progress), the run interrupted, or the cancel left pending.</returns>
    CheckCancelResult Cancel(string checkId);
}
