using System.Diagnostics;
using PyChecks.Interop;

namespace PyChecks.Runtime;

/// <summary>Asking a python executable (isolated, through <c>sysconfig</c>) which shared library it runs on.</summary>
internal sealed partial class PythonLocator
{
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
}
