using System.Diagnostics.CodeAnalysis;

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
    /// of the check are refused until it returns.
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

/// <summary>What a <see cref="ICheckScheduler.ReloadAsync"/> changed.</summary>
public sealed record CheckReloadResult
{
    // The scheduler builds it positionally; hosts read it by name.
    [SetsRequiredMembers]
    internal CheckReloadResult(IReadOnlyList<string> added, IReadOnlyList<string> removed, IReadOnlyList<string> replaced, int unchanged, IReadOnlyList<string> errors)
    {
        Added = added;
        Removed = removed;
        Replaced = replaced;
        Unchanged = unchanged;
        Errors = errors;
    }

    /// <summary>Check ids newly scheduled.</summary>
    public required IReadOnlyList<string> Added { get; init; }

    /// <summary>Check ids no longer configured, now stopped.</summary>
    public required IReadOnlyList<string> Removed { get; init; }

    /// <summary>Check ids reloaded because their module's file changed.</summary>
    public required IReadOnlyList<string> Replaced { get; init; }

    /// <summary>How many instances kept running as they were.</summary>
    public required int Unchanged { get; init; }

    /// <summary>Configurations that could not be read or loaded, with the reason (file and line where known).</summary>
    public required IReadOnlyList<string> Errors { get; init; }
}

/// <summary>What <see cref="ICheckScheduler.RunOnceAsync"/> ran.</summary>
/// <param name="CheckName">The check's name.</param>
/// <param name="Instances">One run per instance that loaded.</param>
/// <param name="Errors">Instances that could not be loaded, with the reason.</param>
public sealed record CheckRunReport(string CheckName, IReadOnlyList<CheckInstanceRun> Instances, IReadOnlyList<string> Errors);

/// <summary>One instance's run-once: its outcome and everything it submitted.</summary>
public sealed record CheckInstanceRun
{
    // The scheduler builds it positionally; hosts read it by name.
    [SetsRequiredMembers]
    internal CheckInstanceRun(
        string checkId,
        CheckRunResult result,
        IReadOnlyList<RecordedMetric> metrics,
        IReadOnlyList<RecordedServiceCheck> serviceChecks,
        IReadOnlyList<CheckEvent> events,
        IReadOnlyList<RecordedHistogramBucket> histogramBuckets)
    {
        CheckId = checkId;
        Result = result;
        Metrics = metrics;
        ServiceChecks = serviceChecks;
        Events = events;
        HistogramBuckets = histogramBuckets;
    }

    /// <summary>The instance's check id.</summary>
    public required string CheckId { get; init; }

    /// <summary>The run's outcome.</summary>
    public required CheckRunResult Result { get; init; }

    /// <summary>The metrics it submitted.</summary>
    public required IReadOnlyList<RecordedMetric> Metrics { get; init; }

    /// <summary>The service checks it submitted.</summary>
    public required IReadOnlyList<RecordedServiceCheck> ServiceChecks { get; init; }

    /// <summary>The events it submitted.</summary>
    public required IReadOnlyList<CheckEvent> Events { get; init; }

    /// <summary>The histogram buckets it submitted.</summary>
    public required IReadOnlyList<RecordedHistogramBucket> HistogramBuckets { get; init; }

    /// <summary>
    /// Whether the run did not return within its timeout and the grace period after the interrupt: it is blocked in C
    /// code and was left running; <see cref="Result"/> says so in its error, and holds what was submitted until then.
    /// </summary>
    public bool Stuck { get; init; }
}
