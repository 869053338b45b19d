namespace PyChecks;

/// <summary>
/// <see cref="ICheckScheduler.RunOnceAsync"/> was refused: a run of the check is stuck in C code, and a new run would
/// most likely block the same way and hold one more Python worker.
/// </summary>
public sealed class CheckStuckException : Exception
{
    /// <summary>Creates the exception for <paramref name="checkName"/>, whose runs of <paramref name="checkIds"/> are stuck.</summary>
    /// <param name="checkName">The check's name.</param>
    /// <param name="checkIds">The instances whose runs are stuck.</param>
    internal CheckStuckException(string checkName, IReadOnlyList<string> checkIds)
        : base(
            $"check '{checkName}' has a run stuck in C code ({string.Join(", ", checkIds)}): it did not return to Python after its " +
            "timeout's interrupt, and a new run would most likely block the same way and hold another Python worker. A cancel " +
            "takes effect when the stuck run returns to Python; until then only restarting the host ends it.")
    {
        CheckName = checkName;
        CheckIds = checkIds;
    }

    /// <summary>The check's name.</summary>
    public string CheckName { get; }

    /// <summary>The instances (check ids) whose runs are stuck.</summary>
    public IReadOnlyList<string> CheckIds { get; }
}
