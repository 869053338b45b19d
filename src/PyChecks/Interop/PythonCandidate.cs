namespace PyChecks;

/// <summary>One place runtime discovery looked for libpython, and what it found there.</summary>
public sealed record PythonCandidate
{
    // Only PyChecks creates these; hosts read them.
    internal PythonCandidate()
    {
    }

    /// <summary>Where the candidate came from, e.g. <c>PYCHECKS_PYTHON</c> or <c>python3 on PATH</c>.</summary>
    public string Source { get; internal init; } = "";

    /// <summary>The library or executable looked at; <see langword="null"/> when the source was not set.</summary>
    public string? Path { get; internal init; }

    /// <summary>Whether this candidate was loaded.</summary>
    public bool Accepted { get; internal init; }

    /// <summary>Why it was rejected, or what was loaded.</summary>
    public string Reason { get; internal init; } = "";

    /// <inheritdoc />
    public override string ToString() => Path is null ? $"{Source}: {Reason}" : $"{Source}: {Path}: {Reason}";
}
