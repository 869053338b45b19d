using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using PyChecks.Interop;

namespace PyChecks.Runtime;

/// <summary>
/// Finds and opens libpython. First hit wins: the explicit option, <c>PYCHECKS_PYTHON</c>,
/// <c>PYTHONNET_PYDLL</c>, the active virtual environment, <c>python3</c> on <c>PATH</c> asked through
/// <c>sysconfig</c>, well-known system paths. Every candidate is recorded with the reason it was rejected.
/// Discovery also chooses the python executable CPython is started as (<see cref="PythonLocation.Executable"/>):
/// a venv's own <c>bin/python3</c>, so that CPython honours the venv.
/// A Python named explicitly (the option or either variable) that cannot be used ends the search with an
/// error naming it: the host asked for that Python, so another one is never loaded in its place.
/// </summary>
internal sealed partial class PythonLocator(PythonRuntimeOptions options, DiscoveryEnvironment environment)
{
    /// <summary>Oldest supported minor version of CPython 3.</summary>
    public const int MinMinor = 9;

    /// <summary>Newest supported minor version of CPython 3.</summary>
    public const int MaxMinor = 14;

    private static readonly string[] s_venvPythonNames = ["python3", "python"];

    private readonly List<PythonCandidate> _tried = [];

    /// <summary>Finds a usable libpython and opens it with <c>RTLD_NOW | RTLD_GLOBAL</c>.</summary>
    /// <exception cref="PythonRuntimeException">Nothing usable was found; the message lists every candidate.</exception>
    public (DynamicLibrary Library, PythonLocation Location) Locate()
    {
        // An explicit choice is final: when the host or the environment names a Python and it cannot be used,
        // loading another one instead would only move the surprise to run time.
        // A worker process starts the Python its host found (library and executable), without a second search.
        if (options.KnownLocation is { } known)
        {
            return TryLibrary("the host's Python", known.LibraryPath, known.Executable, out var given)
                ? given
                : throw new PythonRuntimeException(FormatFailure(_tried), _tried.ToArray());
        }

        if (TryExplicit("option PythonRuntimeOptions.Python", options.Python, out var found)
            || TryExplicit("PYCHECKS_PYTHON", environment.GetVariable("PYCHECKS_PYTHON"), out found)
            || TryExplicit("PYTHONNET_PYDLL", environment.GetVariable("PYTHONNET_PYDLL"), out found)
            || TryVirtualEnvironment(out found)
            || TryPathExecutable(out found)
            || TryWellKnownPaths(out found))
        {
            return found;
        }

        throw new PythonRuntimeException(FormatFailure(_tried), _tried.ToArray());
    }

    internal static string FormatFailure(IReadOnlyList<PythonCandidate> tried)
    {
        var message = new StringBuilder();
        message.Append(CultureInfo.InvariantCulture, $"PyChecks found no usable CPython 3.{MinMinor}–3.{MaxMinor} shared library for {RuntimeInformation.ProcessArchitecture}. Tried, in order:");
        for (int i = 0; i < tried.Count; i++)
        {
            message.Append(CultureInfo.InvariantCulture, $"\n  {i + 1}. {tried[i]}");
        }

        message.Append(
            "\nTo configure one, set PythonRuntimeOptions.Python (or the PYCHECKS_PYTHON environment variable) to a " +
            "libpython3.X.so file or to a python3 executable built with --enable-shared; on Debian or Ubuntu, " +
            "'apt-get install libpython3.11' provides one.");
        return message.ToString();
    }

    private bool TryExplicit(string source, string? value, out (DynamicLibrary, PythonLocation) found)
    {
        if (TryPath(source, value, out found))
        {
            return true;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        throw new PythonRuntimeException(FormatExplicitFailure(source, value, _tried[^1]), _tried.ToArray());
    }

    private static string FormatExplicitFailure(string setting, string value, PythonCandidate rejected)
    {
        string reason = rejected.Reason.TrimEnd('.');
        string what = rejected.Path is null || rejected.Path == value ? value : $"{value} (whose library is {rejected.Path})";
        string fix = setting.StartsWith("option ", StringComparison.Ordinal)
            ? $"Fix {setting["option ".Length..]}, or leave it unset"
            : $"Fix the {setting} environment variable, or unset it";
        return $"PyChecks was told to use the Python at {what} ({setting}), but it {reason}{(reason.EndsWith('?') ? "" : ".")} " +
            $"{fix} to let PyChecks search the active virtual environment, python3 on PATH and the system library folders. " +
            $"It must name a CPython 3.{MinMinor}–3.{MaxMinor} shared library (libpython3.X.so) or a python3 executable built with --enable-shared.";
    }

    private bool TryPath(string source, string? value, out (DynamicLibrary, PythonLocation) found)
    {
        found = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            Reject(source, null, "not set");
            return false;
        }

        if (Directory.Exists(value))
        {
            Reject(source, value, "is a directory; give a libpython3.X.so file or a python executable");
            return false;
        }

        if (!File.Exists(value))
        {
            // pythonnet accepts a bare library name such as 'libpython3.11.so' and lets the loader search for it.
            if (!value.Contains('/', StringComparison.Ordinal) && LooksLikeLibrary(value))
            {
                return TryLibrary(source, value, program: null, out found);
            }

            Reject(source, value, "does not exist");
            return false;
        }

        // A file that cannot be executed can only be meant as a library, whatever its name.
        return LooksLikeLibrary(value) || !IsExecutable(value)
            ? TryLibrary(source, value, program: null, out found)
            : TryExecutable(source, value, out found);
    }

    private bool TryVirtualEnvironment(out (DynamicLibrary, PythonLocation) found)
    {
        const string source = "VIRTUAL_ENV";
        found = default;
        string? venv = environment.GetVariable("VIRTUAL_ENV");
        if (string.IsNullOrWhiteSpace(venv))
        {
            Reject(source, null, "not set");
            return false;
        }

        string config = Path.Combine(venv, "pyvenv.cfg");
        if (!File.Exists(config))
        {
            Reject(source, venv, "has no pyvenv.cfg; is it a virtual environment?");
            return false;
        }

        // CPython finds pyvenv.cfg next to (or one folder above) the executable it starts as, so the venv's own
        // python must be the program: the base interpreter would ignore the venv.
        string? candidate = s_venvPythonNames.Select(name => Path.Combine(venv, "bin", name)).FirstOrDefault(File.Exists);
        if (candidate is null)
        {
            Reject(source, venv, "has no bin/python3 or bin/python; recreate it with 'python3 -m venv'");
            return false;
        }

        return TryExecutable(source, candidate, out found);
    }

    private bool TryPathExecutable(out (DynamicLibrary, PythonLocation) found)
    {
        const string source = "python3 on PATH";
        found = default;
        string? path = environment.GetVariable("PATH");
        foreach (string dir in (path ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string exe = Path.Combine(dir, "python3");
            if (File.Exists(exe))
            {
                return TryExecutable(source, exe, out found);
            }
        }

        Reject(source, null, string.IsNullOrEmpty(path) ? "PATH is not set" : "no python3 in any PATH folder");
        return false;
    }

    private bool TryWellKnownPaths(out (DynamicLibrary, PythonLocation) found)
    {
        const string source = "well-known path";
        found = default;
        var missing = new List<string>();
        foreach (string dir in environment.WellKnownDirectories)
        {
            for (int minor = MaxMinor; minor >= MinMinor; minor--)
            {
                string lib = Path.Combine(dir, $"libpython3.{minor}.so.1.0");
                if (!File.Exists(lib))
                {
                    missing.Add(lib);
                    continue;
                }

                if (TryLibrary(source, lib, program: null, out found))
                {
                    return true;
                }
            }
        }

        if (missing.Count > 0)
        {
            Reject(source, null, $"none of libpython3.{{{MinMinor}..{MaxMinor}}}.so.1.0 in {string.Join(", ", environment.WellKnownDirectories)}");
        }

        return false;
    }

    private void Reject(string source, string? path, string reason) => _tried.Add(new PythonCandidate { Source = source, Path = path, Accepted = false, Reason = reason });
}
