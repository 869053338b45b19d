using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Microsoft.Extensions.Logging.Abstractions;
using PyChecks.Checks.Configuration;
using PyChecks.Checks.Isolation;

namespace PyChecks.Benchmarks;

/// <summary>
/// A worker process's start: from the first load of a check instance in <see cref="CheckIsolation.Process"/> mode,
/// which starts the worker (<c>dotnet exec … PyChecks.dll --pychecks-worker</c>, the runtime, Python and the PyChecks
/// modules), to the end of that instance's first run, in milliseconds. Each invocation uses a pool of worker processes
/// of its own, as a host's first Process-mode check does, and disposes it after. Baseline: a new instance of the same
/// check loaded and run once in process. Target: ≤ 300 ms.
/// </summary>
/// <remarks>
/// Each invocation prints its parts (start: until the worker said it is ready; load; first run) and, after the run, the
/// resident memory of the idle worker (<c>/proc/PID/statm</c>), once it has been idle for <see cref="IdleBeforeReading"/>.
/// The check is B4's (<see cref="CheckRun"/>), which the host imported at set-up; the worker imports it itself.
/// </remarks>
[Config(typeof(StartConfig))]
public class WorkerProcessStart : IDisposable
{
    /// <summary>How long the worker is left idle after its first run before its resident memory is read.</summary>
    public static readonly TimeSpan IdleBeforeReading = TimeSpan.FromSeconds(1);

    private readonly CountingSender _sender = new();
    private CheckHost? _host;
    private ICheck? _check;
    private WorkerProcessPool? _pool;
    private int _instances;
    private (double Start, double Load, double Run) _parts;

    /// <summary>Starts a host with the B4 check loaded in process (its module imported there).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (host, checks) = PythonHost.StartChecks([new CheckRun().Module], _sender, [], static o => o.WorkerProcesses.Count = 1);
        _host = host;
        PythonHost.RunOnce(checks.Single());
    }

    /// <summary>Shuts Python down.</summary>
    [GlobalCleanup]
    public void Cleanup() => _host?.Dispose();

    /// <summary>A new instance of the check, loaded in process and run once.</summary>
    [Benchmark(Baseline = true)]
    public CheckRunResult FirstRunInProcess()
    {
        _check = _host!.Load(NextInstance());
        return PythonHost.RunOnce(_check);
    }

    /// <summary>A new instance of the check loaded into a new pool's worker process, which starts it, and run once.</summary>
    [Benchmark]
    public CheckRunResult FirstRunInWorker()
    {
        long start = Stopwatch.GetTimestamp();
        var host = _host!;
        var pool = _pool = new WorkerProcessPool(
            host.Options.WorkerProcesses,
            WorkerSettings.For(host.Options, host.Runtime.Location, NullLoggerFactory.Instance, host.Router.Services),
            host.Router,
            NullLoggerFactory.Instance,
            host.Options.StuckRunGrace,
            host.Options.Python.ShutdownTimeout);
        // What TryLoad does first, called apart to time it: start the slot's worker.
        pool.WorkerAsync(pool.Slots[0], CancellationToken.None).GetAwaiter().GetResult();
        long started = Stopwatch.GetTimestamp();
        if (!pool.TryLoad(NextInstance(), out var check, out string? reason))
        {
            throw new InvalidOperationException($"the worker did not load the check: {reason}");
        }

        long loaded = Stopwatch.GetTimestamp();
        _check = check;
        var result = PythonHost.RunOnce(check!);
        long ran = Stopwatch.GetTimestamp();
        _parts = (Milliseconds(start, started), Milliseconds(started, loaded), Milliseconds(loaded, ran));
        return result;
    }

    /// <summary>Reads the idle worker's resident memory and prints the invocation's parts; disposes the instance and the pool.</summary>
    [IterationCleanup]
    public void DisposeInstance()
    {
        _check?.Dispose();
        _check = null;
        if (_pool is { } pool)
        {
            Thread.Sleep(IdleBeforeReading);
            var worker = pool.Slots[0].Current ?? throw new InvalidOperationException($"the worker is gone: {pool.Slots[0].LastExit}");
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"// worker start_ms={_parts.Start:F1} load_ms={_parts.Load:F1} first_run_ms={_parts.Run:F1} total_ms={_parts.Start + _parts.Load + _parts.Run:F1} " +
                $"idle_rss_MiB={worker.ResidentBytes() / (1024.0 * 1024):F1} pid={worker.Pid} load_avg={CpuReadings.LoadAverage()}"));
            pool.Dispose();
            _pool = null;
        }
    }

    /// <summary>Disposes the pool of an invocation whose clean-up did not run.</summary>
    public void Dispose()
    {
        _pool?.Dispose();
        GC.SuppressFinalize(this);
    }

    private CheckInstanceConfig NextInstance() =>
        CheckConfigReader.Resolve(new CheckConfig
        {
            Name = "b4",
            Instances = [new Dictionary<string, object?> { ["name"] = $"first-{++_instances}" }],
        }).Single();

    private static double Milliseconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    /// <summary>One process per case, two warm-up and ten measured invocations of one operation each (no pilot stage).</summary>
    public sealed class StartConfig : ManualConfig
    {
        /// <summary>Builds the configuration.</summary>
        public StartConfig()
        {
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(10).WithId("Start"));
            AddColumn(StatisticColumn.Median, StatisticColumn.Min);
            AddColumn(new TagColumn("Python", _ => PythonHost.Requested));
        }
    }
}
