using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace PyChecks.Builtins;

/// <summary>
/// Runs the commands of <c>_util.subprocess_output</c> as the Agent does: no shell, stdin closed, stdout and stderr
/// read to the end, then the exit code. Children still running when the host stops are killed.
/// </summary>
internal static class Subprocess
{
    private static readonly ConcurrentDictionary<Process, byte> s_running = new();
    private static volatile bool s_stopping;

    /// <summary>What a command gave; <see cref="StartError"/> says why it could not start (the outputs are then empty and the code 0, as in the Agent).</summary>
    public readonly record struct Result(string Stdout, string Stderr, int ExitCode, string? StartError);

    /// <summary>
    /// Runs <paramref name="command"/>; with a non-empty <paramref name="environment"/>, the child gets only those variables.
    /// When <paramref name="cancellation"/> fires (the check's run was cancelled or timed out), the child is killed.
    /// </summary>
    public static Result Run(IReadOnlyList<string> command, IReadOnlyList<KeyValuePair<string, string>> environment, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        for (int i = 1; i < command.Count; i++)
        {
            start.ArgumentList.Add(command[i]);
        }

        if (environment.Count > 0)
        {
            start.Environment.Clear();
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return new Result(string.Empty, string.Empty, 0, e.Message);
        }

        s_running.TryAdd(process, 0);
        if (s_stopping)
        {
            Kill(process); // started while KillAll ran, after it looked
        }

        using var kill = cancellation.UnsafeRegister(static p => Kill((Process)p!), process);
        try
        {
            process.StandardInput.Close();
            var stdout = ReadAll(process.StandardOutput.BaseStream);
            var stderr = ReadAll(process.StandardError.BaseStream);
            Task.WaitAll(stdout, stderr); // both at once: a child filling one pipe must not block on the other
            process.WaitForExit();
            return new Result(Decode(stdout.Result), Decode(stderr.Result), process.ExitCode, null);
        }
        finally
        {
            s_running.TryRemove(process, out _);
        }
    }

    /// <summary>Kills every child still running (and its descendants), so that no run waits on one forever.</summary>
    public static void KillAll()
    {
        s_stopping = true;
        foreach (var process in s_running.Keys)
        {
            Kill(process);
        }
    }

    /// <summary>Lets commands run again (a new host started).</summary>
    public static void Allow() => s_stopping = false;

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // It exited meanwhile.
        }
    }

    private static async Task<byte[]> ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer).ConfigureAwait(false);
        return buffer.ToArray();
    }

    // Output that is not UTF-8 is kept readable rather than failing the check.
    private static string Decode(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
