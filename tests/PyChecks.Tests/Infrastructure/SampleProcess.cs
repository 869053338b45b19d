using System.Diagnostics;
using NUnit.Framework;

namespace PyChecks.Tests.Infrastructure;

/// <summary>The built sample (<c>PyChecks.Sample.dll</c>, copied next to the tests), started as <c>dotnet exec</c> starts it.</summary>
internal static class SampleProcess
{
    /// <summary>The sample's assembly.</summary>
    public static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "PyChecks.Sample.dll");

    /// <summary>Starts the sample with <paramref name="args"/>, standard output and error redirected, and <paramref name="environment"/> set.</summary>
    public static Process Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    /// <summary>
    /// Runs the sample with <paramref name="install"/>'s libpython until it exits; one that is still running after
    /// <paramref name="timeout"/> is killed and fails the test, instead of hanging the suite.
    /// </summary>
    public static (int Exit, string Stdout, string Stderr, TimeSpan Elapsed) Run(PythonInstall install, IEnumerable<string> args, TimeSpan timeout)
    {
        install.RequirePresent();
        var clock = Stopwatch.StartNew();
        using var process = Start(args, new Dictionary<string, string> { ["PYCHECKS_PYTHON"] = install.Library! });
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the sample did not end within {timeout.TotalSeconds:0} s:\n{stdout.GetAwaiter().GetResult()}\n{stderr.GetAwaiter().GetResult()}");
        }

        var elapsed = clock.Elapsed;
        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult(), elapsed);
    }
}
