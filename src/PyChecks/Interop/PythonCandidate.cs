namespace PyChecks;

/// <summary>One place runtime discovery looked for libpython, and what it found there.</summary>
public sealed record PythonCandidate
{
    /// <summary>Where the candidate came from, e.g. <c>PYCHECKS_PYTHON</c> or <c>python3 on PATH</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The library or executable looked at; <see langword="null"/> when the source was not set.</summary>
    public required string? Path { get; init; }

    /// <summary>Whether this candidate was loaded.</summary>
    public required bool Accepted { get; init; }

    /// <summary>Why it was rejected, or what was loaded.</summary>
    public required string Reason { get; init; }

    /// <inheritdoc />
    public override string ToString() => Path is null ? $"{Source}: {Reason}" : $"{Source}: {Path}: {Reason}";
}
