namespace PyChecks;

/// <summary>The libpython that runtime discovery chose, and how it got there.</summary>
public sealed class PythonLocation
{
    internal PythonLocation(string libraryPath, string source, IReadOnlyList<string> sitePackages, IReadOnlyList<PythonCandidate> candidates)
    {
        LibraryPath = libraryPath;
        Source = source;
        SitePackages = sitePackages;
        Candidates = candidates;
    }

    /// <summary>The path of the shared library that was loaded.</summary>
    public string LibraryPath { get; }

    /// <summary>Which discovery step found it, e.g. <c>PYCHECKS_PYTHON</c>.</summary>
    public string Source { get; }

    /// <summary>Site-packages folders of a virtual environment added to <c>sys.path</c> at start (empty outside a venv).</summary>
    public IReadOnlyList<string> SitePackages { get; }

    /// <summary>Every candidate looked at, in order, up to and including the one loaded.</summary>
    public IReadOnlyList<PythonCandidate> Candidates { get; }
}
