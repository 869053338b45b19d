using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using PyChecks.Checks.Isolation;

namespace PyChecks.Benchmarks;

/// <summary>
/// B4 in a worker process: the B4 check of <see cref="CheckRun"/> (10 gauges with 2 tags per run) run
/// <see cref="Runs"/> times through <see cref="ICheck.RunAsync"/> from the benchmark thread, with its instance in a
/// worker process (<c>isolation: process</c>), against the same instance in process (<see cref="CheckRun.RunFromHostThread"/>'s
/// way) in the same host; the figure is per run.
/// </summary>
/// <remarks>
/// A run in a worker process is a round trip: the request frame to the worker, the hop there to a Python thread, the
/// run, its samples, commit and result sent back in one write, read on the host's reading thread, which delivers the
/// samples and completes the run. Clean-up prints the CPU time per run of each side and how many times their threads
/// were scheduled in (each is a wake-up). <see cref="PipeRoundTripThroughCat"/> gives the floor of any request and answer
/// between two processes on the machine, in the same run. Target: ≤ 10 µs per run.
/// </remarks>
[Config(typeof(BenchmarkConfig))]
public class WorkerProcessCheckRun : IDisposable
{
    /// <summary>Check runs per benchmark invocation.</summary>
    public const int Runs = 1_000;

    private readonly CountingSender _sender = new();
    private CheckHost? _host;
    private ICheck? _inProcess;
    private ICheck? _inWorker;
    private readonly byte[] _echo = new byte[16];
    private CpuSplit? _cpu;
    private long _commitsAtStart;
    private Process? _cat;

    /// <summary>The B4 check module with two instances: in process, and in a worker process.</summary>
    internal static CheckModule Module => new CheckRun().Module with
    {
        Instances = [new Dictionary<string, object?> { ["isolation"] = "in_process" }, new Dictionary<string, object?> { ["isolation"] = "process" }],
    };

    /// <summary>Starts a host with one worker process, loads both instances, and checks one run's samples of each.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (host, checks) = PythonHost.StartChecks([Module], _sender, [], static o => o.WorkerProcesses.Count = 1);
        _host = host;
        Attach(checks, _sender);
        _cpu = new CpuSplit("B4 worker", () => WorkerProcessSubmission.WorkerPids(host));
        _commitsAtStart = _sender.Commits;
        _cpu.Start();
    }

    /// <summary>Takes the two instances of <see cref="Module"/>, loaded by a host that delivers to <paramref name="sender"/>, and checks one run's samples of each.</summary>
    internal void Attach(IReadOnlyList<ICheck> checks, CountingSender sender)
    {
        (_inProcess, _inWorker) = (checks[0], checks[1]);
        if (_inProcess is ProcessCheck || _inWorker is not ProcessCheck)
        {
            throw new InvalidOperationException("the B4 instances do not run where their 'isolation' key says");
        }

        foreach (var check in checks)
        {
            long metricsBefore = sender.Metrics, commitsBefore = sender.Commits;
            sender.Record = true;
            var result = PythonHost.RunOnce(check);
            if (result.Metrics != CheckRun.GaugesPerRun || sender.Metrics - metricsBefore != CheckRun.GaugesPerRun || sender.Commits - commitsBefore != 1 || sender.LastTags != "env:prod,host:a")
            {
                throw new InvalidOperationException($"{check.Id}: one run gave {result.Metrics} metrics, the sender saw {sender.Metrics - metricsBefore} and {sender.Commits - commitsBefore} commits, tags [{sender.LastTags}]");
            }
        }
    }

    /// <summary>Prints the CPU time per run of the host and the worker, and shuts Python and the worker down.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _cpu?.Print(_sender.Commits - _commitsAtStart, "run");
        _host?.Dispose();
    }

    /// <summary>Starts <c>cat</c>, which echoes what it reads: <see cref="PipeRoundTripThroughCat"/>'s other process.</summary>
    [GlobalSetup(Target = nameof(PipeRoundTripThroughCat))]
    public void StartCat()
    {
        _cat = Process.Start(new ProcessStartInfo("cat") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("could not start cat");
        PipeRoundTripThroughCat();
    }

    /// <summary>Ends <c>cat</c>.</summary>
    [GlobalCleanup(Target = nameof(PipeRoundTripThroughCat))]
    public void StopCat()
    {
        if (_cat is { } cat)
        {
            cat.StandardInput.Close();
            cat.WaitForExit();
            cat.Dispose();
            _cat = null;
        }
    }

    /// <summary>Ends <c>cat</c> if <see cref="StopCat"/> did not run.</summary>
    public void Dispose()
    {
        _cat?.Kill();
        _cat?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary><see cref="Runs"/> runs in process, each from the benchmark thread (a hop to a Python worker thread per run).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Runs)]
    public int RunInProcess() => RunMany(_inProcess!);

    /// <summary><see cref="Runs"/> runs in a worker process, each from the benchmark thread (a round trip to the worker per run).</summary>
    [Benchmark(OperationsPerInvoke = Runs)]
    public int RunInWorker() => RunMany(_inWorker!);

    /// <summary>
    /// Reference: <see cref="Runs"/> round trips of 16 bytes through <c>cat</c> (a pipe each way, blocking reads, a
    /// wake-up on each side): the floor of a request and its answer between two processes on this machine.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Runs)]
    public int PipeRoundTripThroughCat()
    {
        var input = _cat!.StandardInput.BaseStream;
        var output = _cat.StandardOutput.BaseStream;
        int bytes = 0;
        for (int i = 0; i < Runs; i++)
        {
            input.Write(_echo);
            input.Flush();
            output.ReadExactly(_echo);
            bytes += _echo.Length;
        }

        return bytes;
    }

    private static int RunMany(ICheck check)
    {
        int metrics = 0;
        for (int i = 0; i < Runs; i++)
        {
            metrics += PythonHost.RunOnce(check).Metrics;
        }

        return metrics;
    }
}
