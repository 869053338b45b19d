namespace PyChecks;

/// <summary>
/// The Python runtime could not be found, loaded, initialized or used: no usable libpython, a
/// library of the wrong architecture or version, a second initialization, a missing C API symbol.
/// The message says what happened and how to fix it.
/// </summary>
public sealed class PythonRuntimeException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    internal PythonRuntimeException(string message)
        : base(message)
    {
        Candidates = [];
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    internal PythonRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
        Candidates = [];
    }

    /// <summary>Creates an exception listing the discovery candidates that were tried.</summary>
    internal PythonRuntimeException(string message, IReadOnlyList<PythonCandidate> candidates)
        : base(message)
    {
        Candidates = candidates;
    }

    /// <summary>Every place runtime discovery looked, in order, with the reason each was rejected. Empty when discovery was not involved.</summary>
    public IReadOnlyList<PythonCandidate> Candidates { get; }
}
