using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
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

    private const string SysconfigQuery =
        "import sys, sysconfig\n" +
        "v = sysconfig.get_config_var\n" +
        "print(sys.implementation.name)\n" +
        "print('%d.%d' % sys.version_info[:2])\n" +
        "print(v('LIBDIR') or '')\n" +
        "print(v('LDLIBRARY') or '')\n" +
        "print(v('INSTSONAME') or '')\n" +
        "print(v('MULTIARCH') or '')\n" +
        "print(v('Py_GIL_DISABLED') or 0)\n" +
        "print(sys.executable)\n" +
        "print(sys.prefix != sys.base_prefix)\n";

    private static readonly string[] s_venvPythonNames = ["python3", "python"];

    private readonly List<PythonCandidate> _tried = [];

    /// <summary>Finds a usable libpython and opens it with <c>RTLD_NOW | RTLD_GLOBAL</c>.</summary>
    /// <exception cref="PythonRuntimeException">Nothing usable was found; the message lists every candidate.</exception>
    public (DynamicLibrary Library, PythonLocation Location) Locate()
    {
        // An explicit choice is final: when the host or the environment names a Python and it cannot be used,
        // loading another one instead would only move the surprise to run time.
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

    private bool TryExecutable(string source, string executable, out (DynamicLibrary, PythonLocation) found)
    {
        found = default;
        string[] lines;
        try
        {
            lines = RunQuery(executable);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException or TimeoutException)
        {
            Reject(source, executable, $"could not be asked for its library: {e.Message}");
            return false;
        }

        if (lines.Length < 10)
        {
            Reject(source, executable, "did not answer the sysconfig query; is it a Python 3 interpreter?");
            return false;
        }

        string implementation = lines[0];
        string version = lines[1];
        if (!implementation.Equals("cpython", StringComparison.Ordinal))
        {
            Reject(source, executable, $"is {implementation} {version}; only CPython can be embedded");
            return false;
        }

        if (lines[6] is not ("0" or ""))
        {
            Reject(source, executable, $"is a free-threaded build of Python {version}, which PyChecks does not support");
            return false;
        }

        string libDir = lines[2];
        string ldLibrary = lines[3];
        string soName = lines[4];
        string multiarch = lines[5];
        // What the interpreter calls itself: a venv's bin/python3 as invoked, the real file behind a shim or a symlink.
        string program = lines[7].Length > 0 && File.Exists(lines[7]) ? lines[7] : Path.GetFullPath(executable);

        var places = new List<string>();
        foreach (string name in new[] { soName, ldLibrary, $"libpython{version}.so.1.0", $"libpython{version}.so" })
        {
            if (name.Length == 0 || !name.Contains(".so", StringComparison.Ordinal))
            {
                continue;
            }

            places.Add(Path.Combine(libDir, name));
            if (multiarch.Length > 0)
            {
                places.Add(Path.Combine(libDir, multiarch, name));
            }
        }

        string? library = places.FirstOrDefault(File.Exists);
        if (library is null)
        {
            Reject(source, executable,
                $"is Python {version} but has no shared library (looked for {string.Join(", ", places.Distinct())}); " +
                "it was built without --enable-shared, or the libpython package is not installed");
            return false;
        }

        return TryLibrary($"{source} ({executable})", library, program, out found);
    }

    // program: the python executable to start CPython as; null to look for the library's own.
    private bool TryLibrary(string source, string library, string? program, out (DynamicLibrary, PythonLocation) found)
    {
        found = default;
        if (File.Exists(library) && CheckArchitecture(library) is { } archError)
        {
            Reject(source, library, archError);
            return false;
        }

        // Never open a library we will reject with RTLD_GLOBAL: its symbols would shadow the right one's.
        var match = LibraryVersion().Match(Path.GetFileName(library));
        (int Major, int Minor) version;
        if (match.Success)
        {
            version = (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
            if (VersionError(version.Major, version.Minor, match.Groups[3].Success && match.Groups[3].Value.Length > 0) is { } versionError)
            {
                Reject(source, library, versionError);
                return false;
            }
        }
        else if (ProbeVersion(library, out string? probeError) is { } probed)
        {
            version = probed;
            if (VersionError(probed.Major, probed.Minor, freeThreaded: false) is { } versionError)
            {
                Reject(source, library, versionError);
                return false;
            }
        }
        else
        {
            Reject(source, library, probeError ?? "could not be inspected");
            return false;
        }

        var opened = DynamicLibrary.TryOpenGlobal(library, out string? error);
        if (opened is null)
        {
            Reject(source, library, $"could not be loaded: {error}");
            return false;
        }

        program ??= MatchingInterpreter.Find(library, version.Major, version.Minor);
        _tried.Add(new PythonCandidate
        {
            Source = source,
            Path = library,
            Accepted = true,
            Reason = program is not null ? $"loaded, started as {program}"
                : $"loaded; no python{version.Major}.{version.Minor} executable goes with it, so CPython looks for python3 on PATH to compute its paths and falls back to the prefix it was built with",
        });
        found = (opened, new PythonLocation(library, source, program, _tried.ToArray()));
        return true;
    }

    private static (int Major, int Minor)? ProbeVersion(string library, out string? error)
    {
        var probe = DynamicLibrary.TryOpenLocal(library, out error);
        if (probe is null)
        {
            error = $"could not be loaded: {error}";
            return null;
        }

        try
        {
            nint getVersion = probe.TryGetExport("Py_GetVersion");
            if (getVersion == 0)
            {
                error = "does not export Py_GetVersion; it is not a CPython library";
                return null;
            }

            string version;
            unsafe
            {
                version = Marshal.PtrToStringUTF8((nint)((delegate* unmanaged<byte*>)getVersion)()) ?? string.Empty;
            }

            var m = VersionPrefix().Match(version);
            if (!m.Success)
            {
                error = $"reports an unrecognised version '{version}'";
                return null;
            }

            return (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        }
        finally
        {
            probe.Close();
        }
    }

    private static string? VersionError(int major, int minor, bool freeThreaded)
    {
        if (major != 3 || minor < MinMinor)
        {
            return $"is Python {major}.{minor}, which is too old (3.{MinMinor}–3.{MaxMinor} supported)";
        }

        if (minor > MaxMinor)
        {
            return $"is Python {major}.{minor}, which is newer than PyChecks supports (3.{MinMinor}–3.{MaxMinor})";
        }

        return freeThreaded ? $"is a free-threaded build of Python {major}.{minor}, which PyChecks does not support" : null;
    }

    /// <summary>Reads the ELF header to reject a library built for another machine before loading it.</summary>
    internal static string? CheckArchitecture(string path)
    {
        Span<byte> header = stackalloc byte[20];
        try
        {
            using var file = File.OpenRead(path);
            if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            {
                return "is not an ELF shared library";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"could not be read: {e.Message}";
        }

        if (header[0] != 0x7F || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
        {
            return "is not an ELF shared library";
        }

        ushort machine = BinaryPrimitives.ReadUInt16LittleEndian(header[18..]);
        (ushort expected, string name) = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => ((ushort)62, "x86-64"),
            Architecture.Arm64 => ((ushort)183, "aarch64"),
            Architecture.X86 => ((ushort)3, "x86"),
            Architecture.Arm => ((ushort)40, "arm"),
            _ => ((ushort)0, RuntimeInformation.ProcessArchitecture.ToString()),
        };
        if (expected != 0 && (header[4] != (Environment.Is64BitProcess ? 2 : 1) || machine != expected))
        {
            return $"is built for another architecture (ELF machine {machine}, class {header[4]}); this process is {name}";
        }

        return null;
    }

    private static bool IsExecutable(string path)
    {
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        try
        {
            return OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & anyExecute) != 0;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static bool LooksLikeLibrary(string path)
    {
        string name = Path.GetFileName(path);
        return name.StartsWith("libpython", StringComparison.Ordinal) || name.EndsWith(".so", StringComparison.Ordinal) || name.Contains(".so.", StringComparison.Ordinal);
    }

    private string[] RunQuery(string executable)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-I"); // isolated: ignore PYTHON* variables and the user's site folder
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(SysconfigQuery);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(environment.QueryTimeout))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited in the meantime.
            }

            throw new TimeoutException($"no answer within {environment.QueryTimeout.TotalSeconds:0} s");
        }

        if (process.ExitCode != 0)
        {
            string err = stderr.GetAwaiter().GetResult().Trim();
            throw new InvalidOperationException($"exit code {process.ExitCode}{(err.Length > 0 ? ": " + LastLine(err) : string.Empty)}");
        }

        return stdout.GetAwaiter().GetResult().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
    }

    private static string LastLine(string text) => text[(text.LastIndexOf('\n') + 1)..];

    private void Reject(string source, string? path, string reason) => _tried.Add(new PythonCandidate { Source = source, Path = path, Accepted = false, Reason = reason });

    [GeneratedRegex(@"^libpython(\d+)\.(\d+)(t?)")]
    private static partial Regex LibraryVersion();

    [GeneratedRegex(@"^(\d+)\.(\d+)")]
    private static partial Regex VersionPrefix();
}
