namespace PyChecks.Checks;

/// <summary>Why a run that was interrupted has not returned (see <see cref="PythonCheck.DiagnoseOverrun"/>).</summary>
internal enum OverrunCause
{
    /// <summary>The run is in C code: blocked with the GIL released while the GIL was free for it, or busy holding it.</summary>
    InC,

    /// <summary>Other threads hold the GIL: the interrupt, or the run returning to Python to see it, waits its turn.</summary>
    WaitingForGil,
}
