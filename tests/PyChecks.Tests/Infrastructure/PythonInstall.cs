using NUnit.Framework;

namespace PyChecks.Tests.Infrastructure;

/// <summary>
/// One CPython shared library the tests run against. The list is fixed (3.9–3.13 from pyenv, and
/// Debian's 3.11); an install that is absent from this machine makes its tests skip with the reason.
/// </summary>
public sealed record PythonInstall(string Label, string Version, string? Library, string? Executable, string Looked)
{
    private static readonly string PyenvRoot = Environment.GetEnvironmentVariable("PYENV_ROOT") is { Length: > 0 } root ? root : "/root/.pyenv";

    /// <summary>Every install the suite knows how to find, present or not.</summary>
    public static IReadOnlyList<PythonInstall> All { get; } =
    [
        Pyenv("3.9"),
        Pyenv("3.10"),
        Pyenv("3.11"),
        Debian("3.11"),
        Pyenv("3.12"),
        Pyenv("3.13"),
    ];

    /// <summary>The installs as NUnit cases, named by label.</summary>
    public static IEnumerable<TestCaseData> Cases => All.Select(i => new TestCaseData(i).SetArgDisplayNames(i.Label));

    /// <summary>
    /// The reference install alone (Debian's 3.11, else the newest present), for tests of logic above the C API —
    /// scheduling, configuration — where running every version would only repeat the same .NET code.
    /// </summary>
    public static IEnumerable<TestCaseData> ReferenceCases
    {
        get
        {
            var reference = All.FirstOrDefault(i => i.IsPresent && i.Label.EndsWith("Debian", StringComparison.Ordinal))
                ?? All.LastOrDefault(i => i.IsPresent)
                ?? All[0];
            yield return new TestCaseData(reference).SetArgDisplayNames(reference.Label);
        }
    }

    /// <summary>Whether the library is on this machine.</summary>
    public bool IsPresent => Library is not null;

    /// <summary>Skips the current test, with the places looked at, when the install is absent.</summary>
    public PythonInstall RequirePresent()
    {
        if (!IsPresent)
        {
            Assert.Ignore($"CPython {Version} ({Label}) is not installed on this machine: looked for {Looked}.");
        }

        return this;
    }

    /// <summary>Skips the current test when the install or its python executable is absent.</summary>
    public PythonInstall RequireExecutable()
    {
        RequirePresent();
        if (Executable is null || !File.Exists(Executable))
        {
            Assert.Ignore($"CPython {Version} ({Label}) has its library but no python{Version} executable on this machine.");
        }

        return this;
    }

    /// <inheritdoc />
    public override string ToString() => Label;

    /// <summary>A pyenv build: <c>$PYENV_ROOT/versions/3.X.*/lib/libpython3.X.so.1.0</c>, newest micro first.</summary>
    private static PythonInstall Pyenv(string version)
    {
        string versions = Path.Combine(PyenvRoot, "versions");
        string pattern = $"{versions}/{version}.*/lib/libpython{version}.so.1.0";
        string? prefix = Directory.Exists(versions)
            ? Directory.GetDirectories(versions, $"{version}.*")
                .Where(d => Path.GetFileName(d).Count(c => c == '.') == 2 && File.Exists(Path.Combine(d, "lib", $"libpython{version}.so.1.0")))
                .OrderByDescending(d => System.Version.TryParse(Path.GetFileName(d), out var v) ? v : new System.Version(0, 0))
                .FirstOrDefault()
            : null;
        return new PythonInstall(
            $"{version} pyenv",
            version,
            prefix is null ? null : Path.Combine(prefix, "lib", $"libpython{version}.so.1.0"),
            prefix is null ? null : Path.Combine(prefix, "bin", $"python{version}"),
            pattern);
    }

    /// <summary>Debian's package: <c>/usr/lib/x86_64-linux-gnu/libpython3.X.so.1.0</c> with <c>/usr/bin/python3.X</c>.</summary>
    private static PythonInstall Debian(string version)
    {
        string library = $"/usr/lib/x86_64-linux-gnu/libpython{version}.so.1.0";
        string executable = $"/usr/bin/python{version}";
        return new PythonInstall(
            $"{version} Debian",
            version,
            File.Exists(library) ? library : null,
            File.Exists(executable) ? executable : null,
            library);
    }
}
