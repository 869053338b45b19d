namespace PyChecks;

/// <summary>One place runtime discovery looked for libpython, and what it found there.</summary>
/// <param name="Source">Where the candidate came from, e.g. <c>PYCHECKS_PYTHON</c> or <c>python3 on PATH</c>.</param>
/// <param name="Path">The library or executable looked at; <see langword="null"/> when the source was not set.</param>
/// <param name="Accepted">Whether this candidate was loaded.</param>
/// <param name="Reason">Why it was rejected, or what was loaded.</param>
public sealed record PythonCandidate(string Source, string? Path, bool Accepted, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => Path is null ? $"{Source}: {Reason}" : $"{Source}: {Path}: {Reason}";
}
