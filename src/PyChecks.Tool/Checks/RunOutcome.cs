namespace PyChecks.Tool.Checks;

/// <summary>How one run of the <c>check</c> command ended: its result, and whether its timeout interrupted it or it got stuck.</summary>
/// <param name="Result">The run's result (for a stuck run, one that says so, with the time it was given).</param>
/// <param name="Timeout">The run's timeout.</param>
/// <param name="TimedOut">The timeout interrupted the run, and it returned failed.</param>
/// <param name="Stuck">The run did not return within its timeout and the grace period after the interrupt: it is blocked in C code, and left behind.</param>
internal sealed record RunOutcome(CheckRunResult Result, TimeSpan Timeout, bool TimedOut, bool Stuck);
