using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace PyChecks.Benchmarks.Quick;

/// <summary>
/// <c>dotnet run -c Release --project tests/PyChecks.Benchmarks -- quick [--python LIB]…</c>: B0–B4, B8, and B3 and B4 with
/// the check in a worker process (<c>B3W</c>, <c>B4W</c>), short, in one process per Python found (or per <c>--python</c>
/// given; <c>--only B3,B4</c> picks benchmarks), one line per figure, e.g.
/// <c>B3 submit_metric 3.11.2 ratio=1.94 target=2.00 met ns=71.2 baseline_ns=36.7</c>, then a summary line. Before and
/// after each Python's figures, a <c># CPUs:</c> line gives B0 on a thread pinned to each CPU (<see cref="CpuLevels"/>).
/// Exit code 0 when every target is met, 2 when one is missed, 1 when a Python could not be measured.
/// Not a test: the way to check the targets after a change; the full BenchmarkDotNet run is the reference.
/// </summary>
internal static partial class QuickMode
{
    /// <summary>The argument that runs one Python's figures in the current process (used by the parent).</summary>
    public const string ChildArgument = "quick-one";

    /// <summary>Runs the quick mode; <paramref name="args"/> are the arguments after <c>quick</c>.</summary>
    public static int Run(string[] args)
    {
        var pythons = new List<string>();
        string only = string.Empty;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--python" && i + 1 < args.Length)
            {
                pythons.Add(args[++i]);
            }
            else if (args[i] == "--only" && i + 1 < args.Length)
            {
                only = args[++i];
            }
            else
            {
                Console.Error.WriteLine($"quick: unknown argument '{args[i]}'; usage: quick [--python <libpython or python executable>]... [--only B3,B4]");
                return 1;
            }
        }

        if (pythons.Count == 0)
        {
            pythons.AddRange(Installed());
        }

        var clock = Stopwatch.StartNew();
        int met = 0, missed = 0, failed = 0;
        foreach (string python in pythons)
        {
            var (exit, lines) = RunChild(python, only);
            met += lines.Count(l => l.Contains(" met", StringComparison.Ordinal) && FigureLine().IsMatch(l));
            missed += lines.Count(l => l.Contains(" missed", StringComparison.Ordinal) && FigureLine().IsMatch(l));
            if (exit is not (0 or 2))
            {
                failed++;
                Console.WriteLine($"# {python}: the measuring process failed (exit code {exit})");
            }
        }

        Console.WriteLine($"quick: {pythons.Count} Pythons, {met} targets met, {missed} missed, {failed} failed, {clock.Elapsed.TotalSeconds:0} s");
        return failed > 0 ? 1 : missed > 0 ? 2 : 0;
    }

    /// <summary>
    /// Every CPython 3.9–3.13 shared library on the machine: the system's library folders, then pyenv's
    /// versions (<c>$PYENV_ROOT</c>, or <c>~/.pyenv</c>), newest builds first within a minor version.
    /// </summary>
    public static IReadOnlyList<string> Installed()
    {
        var found = new List<string>();
        foreach (string folder in new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib" })
        {
            for (int minor = 9; minor <= 13; minor++)
            {
                string library = Path.Combine(folder, $"libpython3.{minor}.so.1.0");
                if (File.Exists(library) && !found.Any(f => SameFile(f, library)))
                {
                    found.Add(library);
                }
            }
        }

        string pyenv = Environment.GetEnvironmentVariable("PYENV_ROOT") is { Length: > 0 } root
            ? root
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv");
        string versions = Path.Combine(pyenv, "versions");
        if (Directory.Exists(versions))
        {
            foreach (string version in Directory.GetDirectories(versions).Order(StringComparer.Ordinal))
            {
                var match = PyenvVersion().Match(Path.GetFileName(version));
                if (!match.Success || int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) is < 9 or > 13)
                {
                    continue;
                }

                string library = Path.Combine(version, "lib", $"libpython3.{match.Groups[1].Value}.so.1.0");
                if (File.Exists(library))
                {
                    found.Add(library);
                }
            }
        }

        return found;
    }

    private static bool SameFile(string a, string b) =>
        string.Equals(new FileInfo(a).ResolveLinkTarget(true)?.FullName ?? a, new FileInfo(b).ResolveLinkTarget(true)?.FullName ?? b, StringComparison.Ordinal);

    /// <summary>Runs this program with <see cref="ChildArgument"/> for <paramref name="python"/>, echoing its lines.</summary>
    private static (int Exit, List<string> Lines) RunChild(string python, string only)
    {
        string process = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(process) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        start.ArgumentList.Add(ChildArgument);
        start.ArgumentList.Add(only);
        start.Environment[PythonHost.Variable] = python;
        var lines = new List<string>();
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"could not start {process}");
        child.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                Console.Error.WriteLine(line);
            }
        };
        child.BeginErrorReadLine();
        while (child.StandardOutput.ReadLine() is { } line)
        {
            // The host's own start-up lines ("// Python …") are the benchmark log's; the figures are ours.
            if (!line.StartsWith("//", StringComparison.Ordinal))
            {
                Console.WriteLine(line);
                lines.Add(line);
            }
        }

        if (!child.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            child.Kill(entireProcessTree: true);
            return (-1, lines);
        }

        return (child.ExitCode, lines);
    }

    /// <summary>Runs one Python's figures in this process (the child's side).</summary>
    public static int RunChild(string only)
    {
        try
        {
            string[] benchmarks = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return QuickFigures.Run(benchmarks.Length == 0 ? null : benchmarks) > 0 ? 2 : 0;
        }
#pragma warning disable CA1031 // Reported to the parent through the exit code and stderr.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine(e);
            return 1;
        }
    }

    [GeneratedRegex(@"^B\d \S+ \S+ ")]
    private static partial Regex FigureLine();

    [GeneratedRegex(@"^3\.(\d+)\.\d+$")]
    private static partial Regex PyenvVersion();
}
