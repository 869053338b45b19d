using System.Diagnostics;
using System.Text;
using PyChecks.Orleans.Tests.Hosts;

namespace PyChecks.Orleans.Tests.Infrastructure;

/// <summary>
/// A cluster host in a process of its own: this test assembly run with the same <c>dotnet</c> (<c>host …</c>, see
/// <see cref="ClusterTestHost"/>). Its output is kept for failure messages.
/// </summary>
public sealed class HostProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HostProcess(HostSettings settings)
    {
        Settings = settings;
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(HostProcess).Assembly.Location);
        start.ArgumentList.Add("host");
        foreach (string argument in settings.ToArguments())
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public HostSettings Settings { get; }

    /// <summary>Called with each line of the host's output as it arrives, and the time it arrived (unix ms).</summary>
    public Action<string, long>? LineReceived { get; set; }

    public string Name => Settings.Name;

    /// <summary>The host's process id.</summary>
    public int ProcessId => _process.Id;

    public static HostProcess Start(HostSettings settings) => new(settings);

    /// <summary>Waits for the host to report that it started (its silo joined the cluster).</summary>
    public async Task WaitStartedAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(_started.Task, exited, Task.Delay(timeout));
        if (done != _started.Task)
        {
            throw new TimeoutException($"host {Name} did not start within {timeout.TotalSeconds:0} s{(done == exited ? " (it exited)" : string.Empty)}:\n{Output}");
        }
    }

    /// <summary>
    /// SIGTERM, as an orchestrator stops a process: the Generic Host stops (its silo leaves the cluster gracefully).
    /// Returns the exit code; throws when the host has not exited within <paramref name="timeout"/>.
    /// </summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        var kill = new ProcessStartInfo("kill") { UseShellExecute = false };
        kill.ArgumentList.Add("-TERM");
        kill.ArgumentList.Add(_process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using (var signal = Process.Start(kill)!)
        {
            await signal.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"host {Name} did not stop within {timeout.TotalSeconds:0} s of SIGTERM:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown, no goodbye to the cluster.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        LineReceived?.Invoke(line, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        if (line == "started")
        {
            _started.TrySetResult();
        }

        lock (_output)
        {
            if (_output.Length < 200_000)
            {
                _output.AppendLine(line);
            }

            if (Settings.LogFile is { } file)
            {
                File.AppendAllText(file, line + "\n");
            }
        }
    }
}
