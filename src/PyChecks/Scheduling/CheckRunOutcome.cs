namespace PyChecks;

/// <summary>How a run ended, as the scheduler reports it (also the <c>status</c> tag of <c>pychecks.check.runs</c>).</summary>
public enum CheckRunOutcome
{
    /// <summary>The check has not completed a run yet.</summary>
    None,

    /// <summary><c>check()</c> returned without raising.</summary>
    Ok,

    /// <summary><c>check()</c> raised, or the run failed.</summary>
    Error,

    /// <summary>The run overstayed its timeout and was interrupted (or returned only after it).</summary>
    TimedOut,

    /// <summary>The run was cancelled: <see cref="ICheckScheduler.Cancel"/>, or the scheduler stopped.</summary>
    Cancelled,
}
