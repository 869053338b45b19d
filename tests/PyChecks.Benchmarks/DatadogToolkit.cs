namespace PyChecks.Benchmarks;

/// <summary>
/// Puts Datadog's real check toolkit (<c>datadog_checks.base</c>, from the project's shared
/// <c>datadog/</c> folder) on the benchmark Python's <c>sys.path</c>, with pydantic 2 taken from an
/// interpreter of the same minor version that has it.
/// </summary>
/// <remarks>
/// The toolkit's other dependencies (requests, cachetools, yaml, …) come from Debian's
/// <c>python3-*</c> packages, so these benchmarks need the reference Python (Debian's 3.11).
/// <c>PYCHECKS_DATADOG</c> names the shared <c>datadog/</c> folder when it is not found by walking
/// up from the benchmark's folder.
/// </remarks>
internal static class DatadogToolkit
{
    private static readonly string[] PydanticPackages = ["pydantic", "pydantic_core", "annotated_types", "typing_inspection", "typing_extensions.py"];

    /// <summary>The folders to put first on <c>sys.path</c>; throws with what is missing.</summary>
    public static IReadOnlyList<string> SearchPaths()
    {
        if (PythonHost.Requested != PythonHost.ReferenceLibrary)
        {
            throw new InvalidOperationException(
                $"The toolkit benchmarks need Debian's Python 3.11 ({PythonHost.ReferenceLibrary}), whose python3-* packages hold the toolkit's dependencies; unset {PythonHost.Variable}.");
        }

        string datadog = FindShared() ?? throw new InvalidOperationException(
            "Datadog's toolkit was not found: no shared/datadog/datadog_checks_base above the benchmark's folder; set PYCHECKS_DATADOG.");
        return [Path.Combine(datadog, "datadog_checks_base"), Path.Combine(datadog, "deps", "binary"), LinkPydantic()];
    }

    private static string? FindShared()
    {
        if (Environment.GetEnvironmentVariable("PYCHECKS_DATADOG") is { Length: > 0 } given)
        {
            return given;
        }

        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, "shared", "datadog");
            if (Directory.Exists(Path.Combine(candidate, "datadog_checks_base")))
            {
                return candidate;
            }
        }

        return null;
    }

    // A folder holding only pydantic 2 and its companions: never a whole foreign site-packages.
    private static string LinkPydantic()
    {
        string pyenv = Environment.GetEnvironmentVariable("PYENV_ROOT") is { Length: > 0 } root ? root : "/root/.pyenv";
        string? sitePackages = Directory.Exists(Path.Combine(pyenv, "versions"))
            ? Directory.EnumerateDirectories(Path.Combine(pyenv, "versions"), "3.11*")
                .Select(v => Path.Combine(v, "lib", "python3.11", "site-packages"))
                .FirstOrDefault(s => Directory.Exists(Path.Combine(s, "pydantic_core")))
            : null;
        if (sitePackages is null)
        {
            throw new InvalidOperationException($"pydantic 2 for Python 3.11 was not found under {pyenv}/versions/3.11*; the toolkit imports it at start.");
        }

        string folder = Directory.CreateTempSubdirectory("pychecks-bench-pydantic").FullName;
        foreach (string package in PydanticPackages)
        {
            File.CreateSymbolicLink(Path.Combine(folder, package), Path.Combine(sitePackages, package));
        }

        return folder;
    }
}
