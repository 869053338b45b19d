using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PyChecks.Interop;
using PyChecks.Memory;

namespace PyChecks.Benchmarks;

/// <summary>
/// B5, scheduler scale: <see cref="Instances"/> trivial check instances (each submits one gauge), scheduled by the
/// real scheduler on the real clock, with start jitter spreading them over their interval: 1,000 and 10,000 at a 1 s
/// interval, 100,000 at a 10 s interval. One operation is one scheduled run; an invocation waits for the runs of
/// <see cref="WindowSeconds"/> of schedule, so a scheduler that keeps up takes that long per invocation and one that
/// falls behind takes longer.
/// </summary>
/// <remarks>
/// <para>
/// Each invocation also prints, to the benchmark log, the achieved runs per second, the lateness p50/p99 (from the
/// <c>pychecks.scheduler.lateness</c> histogram, the way an exporter sees it), the process CPU (% of the machine),
/// the CPU time per run, the managed bytes allocated per run, the .NET collections (gen 0/1/2) and their pauses,
/// the check's own run time (the mean of <c>pychecks.check.duration</c>: the Python call and what
/// PyChecks does around it inside the run), the difference of the two (the scheduler's overhead per run) and the load
/// average; <c>docs/performance.md</c> quotes them. Targets: 10,000 runs/s
/// sustained on 2 cores with lateness p99 ≤ 50 ms; 100,000 instances at 10 s with p99 ≤ 50 ms and ≤ 4 KiB each.
/// </para>
/// <para>
/// The set-up prints the memory per instance: the managed heap (after full collections) and the tracked native bytes
/// in use, read once Python has started and again once every instance has been loaded, scheduled and run at least
/// once, divided by <see cref="Instances"/>; Python's allocated blocks and the resident set size likewise, for reference.
/// </para>
/// <para>
/// <c>PYCHECKS_B5_ITERATIONS</c> (e.g. <c>2</c>) shortens the job to one warm-up and that many measured invocations;
/// <c>PYCHECKS_B5_INSTANCES</c> picks the cases.
/// </para>
/// </remarks>
[Config(typeof(ScaleConfig))]
public class SchedulerScale : IDisposable
{
    private const string TrivialCheck = """
        from datadog_checks.base import AgentCheck

        class TrivialCheck(AgentCheck):
            def check(self, instance):
                self.gauge('trivial.up', 1)
        """;

    private ServiceProvider? _services;
    private IHostedService? _scheduler;
    private MeterListener? _listener;
    private string? _folder;
    private long _runs;
    private long _target = long.MaxValue; // the run count that sets _reached
    private readonly ManualResetEventSlim _reached = new(false);
    private double[] _lateness = new double[1];
    private double[] _sorted = new double[1];
    private int _latenessCount;
    private long _runNanoseconds;

    /// <summary>Check instances scheduled.</summary>
    [ParamsSource(nameof(InstanceCounts))]
    public int Instances { get; set; }

    /// <summary>The cases: 1,000, 10,000 and 100,000, or those listed in <c>PYCHECKS_B5_INSTANCES</c> (e.g. <c>10000,100000</c>).</summary>
    public static IEnumerable<int> InstanceCounts =>
        Environment.GetEnvironmentVariable("PYCHECKS_B5_INSTANCES") is { Length: > 0 } listed
            ? listed.Split(',').Select(static n => int.Parse(n, CultureInfo.InvariantCulture))
            : [1_000, 10_000, 100_000];

    /// <summary>The instances' interval: 1 s, and 10 s for 100,000 instances.</summary>
    public int IntervalSeconds => Instances >= 100_000 ? 10 : 1;

    /// <summary>Seconds of schedule per invocation: five intervals of 1 s, or one of 10 s.</summary>
    public int WindowSeconds => Math.Max(5, IntervalSeconds);

    /// <summary>Starts Python and the scheduler with <see cref="Instances"/> instances, listens to the scheduler's instruments, and measures the memory per instance.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("pychecks-b5").FullName;
        File.WriteAllText(Path.Combine(_folder, "trivial.py"), TrivialCheck);
        _lateness = new double[(long)Instances * WindowSeconds / IntervalSeconds * 4];
        _sorted = new double[_lateness.Length];

        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PyChecksTelemetry.MeterName
                    && instrument.Name is PyChecksTelemetry.CheckRuns or PyChecksTelemetry.SchedulerLateness or PyChecksTelemetry.CheckDuration)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            if (Interlocked.Add(ref _runs, value) >= Volatile.Read(ref _target))
            {
                _reached.Set();
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == PyChecksTelemetry.CheckDuration)
            {
                Interlocked.Add(ref _runNanoseconds, (long)(value * 1e9));
                return;
            }

            int slot = Interlocked.Increment(ref _latenessCount) - 1;
            if (slot < _lateness.Length)
            {
                _lateness[slot] = value;
            }
        });
        _listener.Start();

        var services = new ServiceCollection();
        services.AddPyChecks(o =>
        {
            o.ChecksDirectory = _folder;
            o.Python.Python = PythonHost.Requested;
            o.MaxStartJitter = TimeSpan.FromSeconds(IntervalSeconds);
            o.Checks.Add(new CheckConfig
            {
                Name = "trivial",
                Instances = [.. Enumerable.Range(0, Instances).Select(i => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
                {
                    ["name"] = $"i{i}",
                    ["min_collection_interval"] = (long)IntervalSeconds,
                })],
            });
        });
        _services = services.BuildServiceProvider();
        var runtime = _services.GetRequiredService<PythonRuntime>();
        Console.WriteLine($"// Python {runtime.Version} from {runtime.Location.LibraryPath}");
        _scheduler = _services.GetServices<IHostedService>().Single();

        var before = MemoryReading.Take(runtime);
        var loading = Stopwatch.StartNew();
        _scheduler.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        loading.Stop();

        // With starts spread over one interval, every instance has run at least once when 1.5 intervals' runs are done.
        while (Interlocked.Read(ref _runs) < Instances * 3L / 2)
        {
            Thread.Sleep(50);
        }

        var after = MemoryReading.Take(runtime);
        double managed = (after.Managed - before.Managed) / (double)Instances;
        double native = (after.Native - before.Native) / (double)Instances;
        Console.WriteLine(
            $"// B5 memory instances={Instances} load_s={loading.Elapsed.TotalSeconds:F1} per_instance managed_B={managed:F0} native_B={native:F0} " +
            $"total_KiB={(managed + native) / 1024:F2} python_blocks={(after.PythonBlocks - before.PythonBlocks) / (double)Instances:F1} " +
            $"rss_B={(after.Rss - before.Rss) / (double)Instances:F0} load_avg={CpuReadings.LoadAverage()}");
    }

    /// <summary>Stops the scheduler and Python.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _scheduler?.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _listener?.Dispose();
        _services?.Dispose();
        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>Releases the listener and the services if <see cref="Cleanup"/> did not run.</summary>
    public void Dispose()
    {
        _listener?.Dispose();
        _services?.Dispose();
        _reached.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Waits for the runs of <see cref="WindowSeconds"/> of schedule to complete, and reports what the scheduler achieved meanwhile.</summary>
    [Benchmark(OperationsPerInvoke = 1)]
    public void ScheduledRuns()
    {
        long target = (long)Instances * WindowSeconds / IntervalSeconds;
        long startRuns = Interlocked.Read(ref _runs);
        long startNanoseconds = Interlocked.Read(ref _runNanoseconds);
        Interlocked.Exchange(ref _latenessCount, 0);
        var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var harnessStart = Runtime.OsThread.Current().CpuTime() ?? TimeSpan.Zero;
        long allocatedStart = GC.GetTotalAllocatedBytes(precise: false);
        var pauseStart = GC.GetTotalPauseDuration();
        int gen0Start = GC.CollectionCount(0), gen1Start = GC.CollectionCount(1), gen2Start = GC.CollectionCount(2);
        var wall = Stopwatch.StartNew();

        // Woken once, by the run that reaches the target: a thread polling the count would add its own wake-ups to the
        // process's CPU, which the overhead per run is computed from.
        _reached.Reset();
        Volatile.Write(ref _target, startRuns + target);
        if (Interlocked.Read(ref _runs) - startRuns < target)
        {
            _reached.Wait();
        }

        wall.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuStart;
        var harness = (Runtime.OsThread.Current().CpuTime() ?? TimeSpan.Zero) - harnessStart;
        long allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedStart;
        var pause = GC.GetTotalPauseDuration() - pauseStart;
        string collections = $"{GC.CollectionCount(0) - gen0Start}/{GC.CollectionCount(1) - gen1Start}/{GC.CollectionCount(2) - gen2Start}";
        long runs = Interlocked.Read(ref _runs) - startRuns;
        double runMicroseconds = (Interlocked.Read(ref _runNanoseconds) - startNanoseconds) / 1000.0 / runs;
        double cpuPerRun = cpu.TotalMilliseconds * 1000 / runs;
        int count = Math.Min(Volatile.Read(ref _latenessCount), _lateness.Length);
        // Sorted in a buffer allocated once: a large array per invocation would bring on full collections of its own.
        var lateness = _sorted.AsSpan(0, count);
        _lateness.AsSpan(0, count).CopyTo(lateness);
        lateness.Sort();
        double p50 = Percentile(lateness, 0.50), p99 = Percentile(lateness, 0.99), max = Percentile(lateness, 1.0);
        Console.WriteLine(
            $"// B5 instances={Instances} interval={IntervalSeconds}s runs={runs} wall={wall.Elapsed.TotalSeconds:F2}s runs/s={runs / wall.Elapsed.TotalSeconds:F0} " +
            $"lateness_ms p50={p50:F2} p99={p99:F2} max={max:F2} " +
            $"cpu={cpu.TotalMilliseconds / wall.Elapsed.TotalMilliseconds / Environment.ProcessorCount * 100:F1}% cpu_per_run_us={cpuPerRun:F1} " +
            $"run_us={runMicroseconds:F1} overhead_us={cpuPerRun - runMicroseconds:F1} " +
            $"harness_us={harness.TotalMilliseconds * 1000 / runs:F2} " +
            $"alloc_B_per_run={allocated / (double)runs:F0} gc0/1/2={collections} gc_pause_ms={pause.TotalMilliseconds:F0} " +
            $"load_avg={CpuReadings.LoadAverage()}");
    }

    /// <summary>The <paramref name="q"/> quantile of sorted seconds, in milliseconds.</summary>
    private static double Percentile(ReadOnlySpan<double> sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))] * 1000;

    /// <summary>
    /// One process per case, one warm-up and five measured invocations of several seconds each (no pilot stage), and no
    /// forced full collection between invocations: with 100,000 instances loaded it pauses the process for about a
    /// second, which the next invocation would count as lateness.
    /// </summary>
    public sealed class ScaleConfig : ManualConfig
    {
        /// <summary>Builds the configuration; <c>PYCHECKS_B5_ITERATIONS</c> sets the measured invocations.</summary>
        public ScaleConfig()
        {
            int iterations = int.TryParse(Environment.GetEnvironmentVariable("PYCHECKS_B5_ITERATIONS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 5;
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(iterations).WithGcForce(false).WithId("B5"));
            AddColumn(StatisticColumn.Median, StatisticColumn.Min);
            AddColumn(new TagColumn("Python", _ => PythonHost.Requested));
        }
    }

    /// <summary>The process's memory at one moment: managed heap after full collections, tracked native bytes, Python's blocks, RSS.</summary>
    private readonly record struct MemoryReading(long Managed, long Native, long PythonBlocks, long Rss)
    {
        public static MemoryReading Take(PythonRuntime runtime)
        {
            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            long managed = GC.GetTotalMemory(forceFullCollection: true);
            long blocks = PythonHost.OnSetupThread(runtime, static () => PythonHeap.Read(DateTimeOffset.UtcNow).AllocatedBlocks);
            using var process = Process.GetCurrentProcess();
            return new MemoryReading(managed, TrackedAllocator.InUseBytes, blocks, process.WorkingSet64);
        }
    }
}
