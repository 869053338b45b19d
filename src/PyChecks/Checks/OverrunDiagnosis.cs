namespace PyChecks.Checks;

/// <summary>The verdict on an overrunning run: its cause, how long PyChecks waited for the GIL, and a phrase for the log.</summary>
internal readonly record struct OverrunDiagnosis(OverrunCause Cause, TimeSpan GilWait, string Detail);
