using System.Diagnostics;
using NUnit.Framework;

namespace PyChecks.Tests.Infrastructure;

/// <summary>A real virtual environment made by <c>python -m venv --without-pip</c> in a temporary folder.</summary>
public sealed record TestVenv(PythonInstall Base, string Root, string Python, string SitePackages)
{
    /// <summary>Makes a venv from <paramref name="install"/>; skips the test when the install (or its executable) is absent.</summary>
    /// <param name="install">The base interpreter.</param>
    /// <param name="systemSitePackages">Whether the venv sees the base's site-packages (<c>include-system-site-packages = true</c>).</param>
    public static TestVenv Create(PythonInstall install, bool systemSitePackages)
    {
        install.RequireExecutable();
        string root = Path.Combine(Directory.CreateTempSubdirectory("pychecks-venv").FullName, "env");
        var arguments = new List<string> { "-m", "venv", "--without-pip" };
        if (systemSitePackages)
        {
            arguments.Add("--system-site-packages");
        }

        arguments.Add(root);
        var (exitCode, _, error) = Run(install.Executable!, arguments, new Dictionary<string, string?>());
        if (exitCode != 0)
        {
            Assert.Fail($"{install.Executable} could not create a virtual environment in {root} (exit {exitCode}): {error}");
        }

        return new TestVenv(install, root, Path.Combine(root, "bin", "python3"), Path.Combine(root, "lib", $"python{install.Version}", "site-packages"));
    }

    /// <summary>Runs <paramref name="executable"/> with <paramref name="arguments"/> and returns its exit code, output and error output.</summary>
    /// <param name="executable">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="environment">Variables to set, or to remove (a <see langword="null"/> value), over this process's.</param>
    public static (int ExitCode, string Output, string Error) Run(string executable, IEnumerable<string> arguments, IDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(executable, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{executable} {string.Join(' ', arguments)} did not end within a minute.");
        }

        process.WaitForExit();
        return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }

    /// <summary>Runs Python code with an interpreter and returns what it printed; fails the test when it fails.</summary>
    public static string Ask(string python, string code, IDictionary<string, string?> environment)
    {
        var (exitCode, output, error) = Run(python, ["-c", code], environment);
        if (exitCode != 0)
        {
            Assert.Fail($"{python} -c failed (exit {exitCode}): {error}");
        }

        return output.TrimEnd('\n');
    }
}
