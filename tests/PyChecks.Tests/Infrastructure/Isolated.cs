using System.Diagnostics;
using System.Reflection;
using System.Text;
using NUnit.Framework;

namespace PyChecks.Tests.Infrastructure;

/// <summary>
/// Runs a test scenario in a child process of its own, against one libpython.
/// </summary>
/// <remarks>
/// CPython allows one interpreter per process and cannot be started again once finalized, so a
/// suite that covers several Python versions (or shutdown) cannot share one test process. The test
/// assembly doubles as the child: <c>dotnet exec PyChecks.Tests.dll scenario &lt;type&gt; &lt;method&gt;</c>
/// runs one static scenario method (or a capture-free lambda) with <see cref="LibraryVariable"/>
/// naming the library, and exits 0 when it returned. NUnit assertions inside the scenario throw as
/// usual; the parent turns a non-zero exit into a failure carrying the child's output.
/// </remarks>
public static class Isolated
{
    /// <summary>The environment variable that gives the child its libpython.</summary>
    public const string LibraryVariable = "PYCHECKS_TEST_LIBRARY";

    /// <summary>The environment variable that gives the child the matching python executable.</summary>
    public const string ExecutableVariable = "PYCHECKS_TEST_EXECUTABLE";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Runs <paramref name="scenario"/> in a child process against <paramref name="install"/>; skips when it is absent.</summary>
    public static void Run(PythonInstall install, Action scenario, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        install.RequirePresent();
        var env = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            [LibraryVariable] = install.Library,
            [ExecutableVariable] = install.Executable,
        };
        var result = RunChild(scenario.Method, env, timeout ?? DefaultTimeout);
        if (result.ExitCode != 0)
        {
            Assert.Fail($"The scenario failed in its child process against {install.Label} ({install.Library}), exit code {result.ExitCode}:\n{result.Output}");
        }

        // What a scenario measured (lines it wrote starting with FigurePrefix) shows in the test's output.
        foreach (string line in result.Output.Split('\n'))
        {
            if (line.StartsWith(FigurePrefix, StringComparison.Ordinal))
            {
                TestContext.Out.WriteLine($"{install.Label}: {line[FigurePrefix.Length..].TrimEnd()}");
            }
        }
    }

    /// <summary>A scenario's standard output line starting with this is shown in the test's output, even when it passes.</summary>
    public const string FigurePrefix = "figure: ";

    /// <summary>Runs a scenario in a child process and returns its exit code and output, whatever they are.</summary>
    public static ChildResult RunChild(MethodInfo method, IDictionary<string, string?> environment, TimeSpan timeout)
    {
        if (method.DeclaringType is null)
        {
            throw new ArgumentException("The scenario must be a method of a type.", nameof(method));
        }

        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(Isolated).Assembly.Location);
        start.ArgumentList.Add("scenario");
        start.ArgumentList.Add(method.DeclaringType.AssemblyQualifiedName!);
        start.ArgumentList.Add(method.Name);
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

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        using var ended = new CountdownEvent(2); // the two streams' ends
        process.OutputDataReceived += (_, e) => Received(output, e.Data, ended);
        process.ErrorDataReceived += (_, e) => Received(output, e.Data, ended);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            string leftOver = ended.Wait(StreamsEndTimeout) ? string.Empty : $" (and a process it had started that held its output: {KillLeftOver(start)})";
            return new ChildResult(-1, $"timed out after {timeout.TotalSeconds:0} s (killed){leftOver}\n{Snapshot(output)}");
        }

        // The streams end when the last process holding them does: one the scenario started (a check's forked child) and
        // left running would hold them for ever, and so would hang the suite instead of failing this test.
        if (!ended.Wait(StreamsEndTimeout))
        {
            return new ChildResult(-1, $"the scenario exited ({process.ExitCode}), but {StreamsEndTimeout.TotalSeconds:0} s later a process it started "
                + $"still held its output open (a child left running: {KillLeftOver(start)})\n{Snapshot(output)}");
        }

        process.WaitForExit();
        return new ChildResult(process.ExitCode, Snapshot(output));
    }

    /// <summary>How long after the scenario's exit its output streams must have ended.</summary>
    private static readonly TimeSpan StreamsEndTimeout = TimeSpan.FromSeconds(20);

    private static void Received(StringBuilder output, string? line, CountdownEvent ended)
    {
        if (line is null)
        {
            ended.Signal();
            return;
        }

        Append(output, line);
    }

    // A process the scenario started and left running: one with the scenario's command line (a fork of it) whose parent is
    // neither this test process nor a running scenario (the scenario that forked it has exited). Killed once named: it
    // would hold a core for the rest of the suite.
    private static string KillLeftOver(ProcessStartInfo start)
    {
        string commandLine = string.Join(' ', start.ArgumentList);
        var left = new List<string>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                string cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int parent = int.Parse(stat[(stat.LastIndexOf(')') + 4)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                if (cmdline.Contains(commandLine, StringComparison.Ordinal) && parent != Environment.ProcessId && !CommandLineOf(parent).Contains(commandLine, StringComparison.Ordinal))
                {
                    left.Add($"pid {pid} ({File.ReadAllText(Path.Combine(dir, "comm")).Trim()})");
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                }
            }
            catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone meanwhile.
            }
        }

        return left.Count == 0 ? "none found" : string.Join(", ", left) + ", killed";
    }

    private static string CommandLineOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>The child's side: runs the named scenario and returns the process exit code.</summary>
    internal static int RunScenario(string typeName, string methodName)
    {
        var type = Type.GetType(typeName, throwOnError: true)!;
        var method = type.GetMethod(methodName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance)
            ?? throw new MissingMethodException(typeName, methodName);

        // Capture-free lambdas compile to instance methods of a stateless closure class.
        object? target = method.IsStatic ? null : Activator.CreateInstance(type, nonPublic: true);
        try
        {
            method.Invoke(target, null);
            return 0;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            Console.Error.WriteLine(e.InnerException);
            return 1;
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}

/// <summary>What a child process ended with.</summary>
public sealed record ChildResult(int ExitCode, string Output);
