namespace PyChecks;

/// <summary>The libpython that runtime discovery chose, the interpreter it belongs to, and how it got there.</summary>
public sealed class PythonLocation
{
    internal PythonLocation(string libraryPath, string source, string? executable, IReadOnlyList<PythonCandidate> candidates)
    {
        LibraryPath = libraryPath;
        Source = source;
        Executable = executable;
        Candidates = candidates;
    }

    /// <summary>The path of the shared library that was loaded.</summary>
    public string LibraryPath { get; }

    /// <summary>Which discovery step found it, e.g. <c>PYCHECKS_PYTHON</c>.</summary>
    public string Source { get; }

    /// <summary>
    /// The python executable CPython is started as (its <c>argv[0]</c>): a virtual environment's <c>bin/python3</c>
    /// when a venv was chosen, else the interpreter that goes with the library. CPython computes <c>sys.prefix</c>,
    /// <c>sys.executable</c> and the venv's <c>pyvenv.cfg</c> from it. <see langword="null"/> when no interpreter
    /// matches the library: CPython then looks for <c>python3</c> on <c>PATH</c>, and falls back to the prefix it
    /// was built with.
    /// </summary>
    public string? Executable { get; }

    /// <summary>Every candidate looked at, in order, up to and including the one loaded.</summary>
    public IReadOnlyList<PythonCandidate> Candidates { get; }
}
