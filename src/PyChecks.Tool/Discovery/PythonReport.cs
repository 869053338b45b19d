namespace PyChecks.Tool.Discovery;

/// <summary>What <c>pychecks python</c> found: the Python, every candidate looked at, <c>sys.path</c>, and Datadog's toolkit.</summary>
/// <param name="Runtime">The running interpreter.</param>
/// <param name="SysPath">Python's <c>sys.path</c> once PyChecks has started, as checks see it.</param>
/// <param name="Toolkit">Whether Datadog's toolkit imports, in one sentence.</param>
/// <param name="ToolkitImports">Whether <c>datadog_checks.base</c> is the real toolkit and imports.</param>
internal sealed record PythonReport(PythonRuntime Runtime, IReadOnlyList<string> SysPath, string Toolkit, bool ToolkitImports)
{
    /// <summary>Reads <c>sys.path</c> and tries Datadog's toolkit in <paramref name="runtime"/>, started by a <see cref="CheckHost"/>.</summary>
    public static PythonReport Read(PythonRuntime runtime)
    {
        using var gil = runtime.AcquireGil();
        using var sys = PyObject.Import("sys");
        using var path = sys.GetAttr("path");
        var sysPath = path.ToClr() is IEnumerable<object?> entries ? entries.Select(e => e?.ToString() ?? string.Empty).ToList() : [];

        // pychecks.toolkit tells the real toolkit from PyChecks' own alias, and why an installed one does not import.
        using var toolkit = PyObject.Import("pychecks.toolkit");
        using var location = toolkit.CallMethod("installed_location");
        if (location.ToClr() is not string installed)
        {
            return new PythonReport(runtime, sysPath,
                "not installed: checks that import datadog_checks.base get PyChecks' own AgentCheck (install datadog-checks-base into this Python, or a venv of it, for Datadog's integrations)",
                ToolkitImports: false);
        }

        try
        {
            using var module = toolkit.CallMethod("load_base");
            string version;
            try
            {
                using var about = PyObject.Import("datadog_checks.base.__about__");
                using var value = about.GetAttr("__version__");
                version = value.ToClr()?.ToString() ?? "of an unknown version";
            }
            catch (PythonException)
            {
                version = "of an unknown version";
            }

            return new PythonReport(runtime, sysPath, $"datadog_checks.base {version} imports, from {installed}", ToolkitImports: true);
        }
        catch (PythonException e)
        {
            return new PythonReport(runtime, sysPath, $"installed at {installed} but does not import: {e.PythonMessage}", ToolkitImports: false);
        }
    }
}
