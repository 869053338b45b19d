using System.Text.RegularExpressions;

namespace PyChecks.Runtime;

/// <summary>
/// Finds the python executable of the installation a libpython belongs to, without running Python: the
/// <c>BINDIR</c> that the installation's <c>sysconfig</c> data names, plus <c>python3.X</c>. CPython is
/// then started as that program, so its paths and <c>sys.executable</c> are those of its own install.
/// </summary>
internal static partial class MatchingInterpreter
{
    /// <summary>The installation's <c>python3.X</c>, or <see langword="null"/> when none is found (or the library was given by bare name).</summary>
    public static string? Find(string library, int major, int minor)
    {
        if (!library.Contains('/', StringComparison.Ordinal))
        {
            return null; // a bare name is found by the loader; its folder is unknown here
        }

        string libraryDirectory = Path.GetDirectoryName(Path.GetFullPath(library))!;
        string libraryName = Path.GetFileName(library);
        string stdlib = $"python{major}.{minor}";

        // The standard library is LIBDIR/python3.X, or one folder up where LIBDIR is a multiarch folder
        // (Debian: /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0 and /usr/lib/python3.11).
        string?[] stdlibFolders = [Path.Combine(libraryDirectory, stdlib), Path.GetDirectoryName(libraryDirectory) is { } up ? Path.Combine(up, stdlib) : null];
        foreach (string? folder in stdlibFolders)
        {
            if (folder is null || !Directory.Exists(folder))
            {
                continue;
            }

            foreach (string data in Directory.EnumerateFiles(folder, "_sysconfigdata_*.py").Order(StringComparer.Ordinal))
            {
                if (ReadBinDir(data, libraryDirectory, libraryName) is { } binDir && Path.Combine(binDir, $"python{major}.{minor}") is var python && File.Exists(python))
                {
                    return python;
                }
            }
        }

        return null;
    }

    /// <summary>The data file's <c>BINDIR</c>, when its <c>LIBDIR</c> is the library's folder or holds a library of that name.</summary>
    private static string? ReadBinDir(string data, string libraryDirectory, string libraryName)
    {
        string text;
        try
        {
            text = File.ReadAllText(data);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        string? Read(string name) => ConfigVariable().Matches(text).FirstOrDefault(m => m.Groups[1].Value == name)?.Groups[2].Value;
        string? libDir = Read("LIBDIR");
        string? binDir = Read("BINDIR");
        if (libDir is null || binDir is null || binDir.Length == 0)
        {
            return null;
        }

        bool same = Path.GetFullPath(libDir) == libraryDirectory || File.Exists(Path.Combine(libDir, libraryName));
        return same ? binDir : null;
    }

    // The data file is a generated dict literal: "'BINDIR': '/usr/bin',", one key per line.
    [GeneratedRegex(@"^\s*'(LIBDIR|BINDIR)':\s*'([^'\n]*)'", RegexOptions.Multiline)]
    private static partial Regex ConfigVariable();
}
