using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using PyChecks.Interop;

namespace PyChecks.Runtime;

/// <summary>Vetting a library before it is opened for good: its architecture, its version, a free-threaded build.</summary>
internal sealed partial class PythonLocator
{
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

    private static bool LooksLikeLibrary(string path)
    {
        string name = Path.GetFileName(path);
        return name.StartsWith("libpython", StringComparison.Ordinal) || name.EndsWith(".so", StringComparison.Ordinal) || name.Contains(".so.", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^libpython(\d+)\.(\d+)(t?)")]
    private static partial Regex LibraryVersion();

    [GeneratedRegex(@"^(\d+)\.(\d+)")]
    private static partial Regex VersionPrefix();
}
