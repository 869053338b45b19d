using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PyChecks.Benchmarks;

/// <summary>
/// B5, scheduler scale: <see cref="Instances"/> trivial check instances (each submits one gauge) at a 1 s interval,
/// scheduled by the real scheduler on the real clock, with start jitter spreading them over the second. One
/// operation is one scheduled run; an invocation waits for <see cref="Instances"/> × <see cref="Seconds"/> runs, so
/// a scheduler that keeps up takes <see cref="Seconds"/> s per invocation, i.e. 1 / <see cref="Instances"/> s per
/// operation, and one that falls behind takes longer.
/// </summary>
/// <remarks>
/// Each iteration also prints, to the benchmark log, the achieved runs per second, the lateness p50/p99 (from the
/// <c>pychecks.scheduler.lateness</c> histogram, the way an exporter sees it), the process CPU (% of the machine)
/// and the CPU time per run; <c>docs/performance.md</c> quotes them. Targets: 10,000 runs/s sustained on 2 cores
/// with lateness p99 ≤ 50 ms.
/// </remarks>
[Config(typeof(ScaleConfig))]
public class SchedulerScale : IDisposable
{
    /// <summary>Seconds of schedule per invocation.</summary>
    public const int Seconds = 5;

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
    private double[] _lateness = new double[1];
    private int _latenessCount;

    /// <summary>Check instances scheduled at a 1 s interval.</summary>
    [Params(1_000, 10_000)]
    public int Instances { get; set; }

    /// <summary>Starts Python and the scheduler with <see cref="Instances"/> instances, and listens to the scheduler's instruments.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("pychecks-b5").FullName;
        File.WriteAllText(Path.Combine(_folder, "trivial.py"), TrivialCheck);
        _lateness = new double[Instances * Seconds * 4];

        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PyChecksTelemetry.MeterName
                    && instrument.Name is PyChecksTelemetry.CheckRuns or PyChecksTelemetry.SchedulerLateness)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _runs, value));
        _listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
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
            o.MaxStartJitter = TimeSpan.FromSeconds(1);
            o.Checks.Add(new CheckConfig
            {
                Name = "trivial",
                Instances = [.. Enumerable.Range(0, Instances).Select(i => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
                {
                    ["name"] = $"i{i}",
                    ["min_collection_interval"] = 1L,
                })],
            });
        });
        _services = services.BuildServiceProvider();
        var runtime = _services.GetRequiredService<PythonRuntime>();
        Console.WriteLine($"// Python {runtime.Version} from {runtime.Location.LibraryPath}");
        _scheduler = _services.GetServices<IHostedService>().Single();
        _scheduler.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
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
        GC.SuppressFinalize(this);
    }

    /// <summary>Waits for <see cref="Instances"/> × <see cref="Seconds"/> scheduled runs to complete, and reports what the scheduler achieved meanwhile.</summary>
    [Benchmark(OperationsPerInvoke = 1)]
    public void ScheduledRuns()
    {
        long target = (long)Instances * Seconds;
        long startRuns = Interlocked.Read(ref _runs);
        Interlocked.Exchange(ref _latenessCount, 0);
        var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        while (Interlocked.Read(ref _runs) - startRuns < target)
        {
            Thread.Sleep(5);
        }

        wall.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuStart;
        long runs = Interlocked.Read(ref _runs) - startRuns;
        int count = Math.Min(Volatile.Read(ref _latenessCount), _lateness.Length);
        double[] lateness = _lateness.AsSpan(0, count).ToArray();
        Array.Sort(lateness);
        double P(double q) => lateness.Length == 0 ? double.NaN : lateness[Math.Min(lateness.Length - 1, (int)(q * lateness.Length))] * 1000;
        Console.WriteLine(
            $"// B5 instances={Instances} runs={runs} wall={wall.Elapsed.TotalSeconds:F2}s runs/s={runs / wall.Elapsed.TotalSeconds:F0} " +
            $"lateness_ms p50={P(0.50):F2} p99={P(0.99):F2} max={P(1.0):F2} " +
            $"cpu={cpu.TotalMilliseconds / wall.Elapsed.TotalMilliseconds / Environment.ProcessorCount * 100:F1}% cpu_per_run_us={cpu.TotalMilliseconds * 1000 / runs:F1}");
    }

    /// <summary>One process per case, one warm-up and five measured invocations of several seconds each (no pilot stage).</summary>
    public sealed class ScaleConfig : ManualConfig
    {
        /// <summary>Builds the configuration.</summary>
        public ScaleConfig()
        {
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5).WithId("B5"));
            AddColumn(StatisticColumn.Median, StatisticColumn.Min);
            AddColumn(new TagColumn("Python", _ => PythonHost.Requested));
        }
    }
}
