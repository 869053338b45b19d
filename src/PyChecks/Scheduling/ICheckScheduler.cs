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
    /// Cancels the current run of an instance: its Python code is interrupted (<c>pychecks.CheckInterrupt</c>) and the
    /// run counts as cancelled. The instance stays scheduled.
    /// </summary>
    /// <param name="checkId">The instance's check id.</param>
    /// <returns>Whether the instance exists and had a run in progress.</returns>
    bool Cancel(string checkId);
}

/// <summary>What a <see cref="ICheckScheduler.ReloadAsync"/> changed.</summary>
/// <param name="Added">Check ids newly scheduled.</param>
/// <param name="Removed">Check ids no longer configured, now stopped.</param>
/// <param name="Replaced">Check ids reloaded because their module's file changed.</param>
/// <param name="Unchanged">How many instances kept running as they were.</param>
/// <param name="Errors">Configurations that could not be read or loaded, with the reason (file and line where known).</param>
public sealed record CheckReloadResult(
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Replaced,
    int Unchanged,
    IReadOnlyList<string> Errors);
