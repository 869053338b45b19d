namespace PyChecks.Tool.Checks;

/// <summary>
/// What the <c>check</c> command tells as it goes: plain lines (<see cref="PlainCheckReport"/>), tables on a terminal
/// (<see cref="RichCheckReport"/>), or one JSON document at the end (<see cref="JsonCheckReport"/>).
/// </summary>
internal interface ICheckReport
{
    /// <summary>Python started: which one, found how.</summary>
    void Started(PythonRuntime runtime);

    /// <summary>Python, or the host, could not start; the command ends.</summary>
    void StartFailed(string message);

    /// <summary>No configuration names the check; the command ends.</summary>
    void NotConfigured(string message);

    /// <summary>An instance could not be configured or loaded.</summary>
    void NotLoaded(string message);

    /// <summary>A run ended; <paramref name="recorder"/> holds what it submitted.</summary>
    void Ran(ICheck check, RunOutcome outcome, InMemorySender recorder, int run, int runs);

    /// <summary>A run is blocked in C code: it is left behind, and nothing more runs.</summary>
    void Stuck(string checkId);

    /// <summary>Ctrl+C stopped the command.</summary>
    void Stopped();

    /// <summary>The command ends with these counts.</summary>
    void Ended(CheckTally tally);

    /// <summary>The command is over, with this exit code, whatever happened before (not for wrong arguments).</summary>
    void Completed(int exitCode);
}
