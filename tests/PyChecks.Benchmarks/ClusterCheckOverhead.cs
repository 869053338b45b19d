using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PyChecks.Benchmarks;

/// <summary>
/// B9, cluster check overhead: <see cref="Instances"/> instances of a host-provided check that does nothing
/// (<see cref="NoopCheck"/>), at a 1 s interval, scheduled by the real scheduler on the real clock, once as plain
/// local instances and once as cluster checks of a one-silo Orleans cluster (<c>UseLocalhostClustering</c>) in the same
/// process. One operation is one scheduled run; an invocation waits for the runs of <see cref="WindowSeconds"/> of
/// schedule and prints the process CPU per run and per second. The difference of the CPU per run between the cases is
/// what a cluster check costs more than a local one (goal ≤ 1 µs).
/// </summary>
/// <remarks>
/// <para>
/// The cases (<see cref="Case"/>): <c>local</c>, the host without Orleans; <c>silo</c>, the same host with an Orleans
/// silo and <c>AddPyChecksCluster</c>, the instances node-local (what the silo alone costs, spread over the runs);
/// <c>cluster</c>, the same host and silo with every instance a cluster check (one grain each, active on this silo);
/// <c>cluster-nosweep</c>, the same with a sweep period of an hour (the sweep at start only): the run's path alone;
/// <c>idle</c>, the host without Orleans and without instances, and <c>idle-silo</c>, the host with the silo and
/// <c>AddPyChecksCluster</c> but no instance: their difference is what a silo at rest costs per second.
/// </para>
/// <para>
/// The check is the host's own (no Python): its run is a few hundred nanoseconds on the scheduler's thread, so the
/// figure is the scheduler's path, the same in every case by design (the placement is never on a run's path), and a
/// difference under a microsecond is not drowned in the Python run's own 5–7 µs and its noise (B5). The sweep of the
/// cluster checks runs every <see cref="SweepPeriodSeconds"/> (one per invocation, three times the default rate), so its
/// cost is in the <c>cluster</c> figures.
/// </para>
/// <para>
/// <c>PYCHECKS_B9_INSTANCES</c> sets the instances (default 10,000), <c>PYCHECKS_B9_ITERATIONS</c> the measured
/// invocations (default 5), <c>PYCHECKS_B9_CASES</c> the cases (e.g. <c>local,cluster</c>).
/// </para>
/// </remarks>
[Config(typeof(OverheadConfig))]
public class ClusterCheckOverhead : IDisposable
{
    private const string CheckName = "noop_probe";

    private Microsoft.Extensions.Hosting.IHost? _host;
    private MeterListener? _listener;
    private long _runs;
    private double[] _lateness = new double[1];
    private int _latenessCount;

    /// <summary>The case: <c>local</c>, <c>silo</c>, <c>cluster</c>, <c>cluster-nosweep</c>, <c>idle</c> or <c>idle-silo</c>.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "local";

    /// <summary>The cases: <c>PYCHECKS_B9_CASES</c>, or all six (BenchmarkDotNet runs them in alphabetical order).</summary>
    public static IEnumerable<string> Cases =>
        Environment.GetEnvironmentVariable("PYCHECKS_B9_CASES") is { Length: > 0 } listed
            ? listed.Split(',')
            : ["local", "silo", "cluster", "cluster-nosweep", "idle", "idle-silo"];

    /// <summary>Check instances scheduled (none in <c>idle</c> and <c>idle-silo</c>).</summary>
    public int Instances => Case is "idle" or "idle-silo"
        ? 0
        : int.TryParse(Environment.GetEnvironmentVariable("PYCHECKS_B9_INSTANCES"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 10_000;

    /// <summary>Seconds of schedule per invocation.</summary>
    public const int WindowSeconds = 10;

    /// <summary>The cluster checks' sweep period: one sweep per invocation.</summary>
    public const int SweepPeriodSeconds = 10;

    /// <summary>Starts the host (with a silo but in <c>local</c>) and waits until every instance has run.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _lateness = new double[Math.Max(1, Instances * WindowSeconds * 4)];
        _listener = new MeterListener
        {
            InstrumentPublished = static (instrument, listener) =>
            {
                if (instrument.Meter.Name == PyChecksTelemetry.MeterName && instrument.Name is PyChecksTelemetry.CheckRuns or PyChecksTelemetry.SchedulerLateness)
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

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ICheckLoader, NoopCheckLoader>();
        builder.Services.AddPyChecks(o =>
        {
            o.Python.Python = PythonHost.Requested;
            o.MaxStartJitter = TimeSpan.FromSeconds(1);
            o.Checks.Add(new CheckConfig
            {
                Name = CheckName,
                Instances = [.. Enumerable.Range(0, Instances).Select(i => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
                {
                    ["n"] = (long)i,
                    ["min_collection_interval"] = 1L,
                })],
            });
        });
        if (Case is not ("local" or "idle"))
        {
            builder.UseOrleans(silo =>
            {
                silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: "pychecks-b9", clusterId: "pychecks-b9-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                silo.AddPyChecksCluster(o =>
                {
                    if (Case is "cluster" or "cluster-nosweep" or "idle-silo")
                    {
                        o.CheckNames.Add(CheckName);
                    }

                    o.SweepPeriod = Case == "cluster-nosweep" ? TimeSpan.FromHours(1) : TimeSpan.FromSeconds(SweepPeriodSeconds);
                });
            });
        }

        _host = builder.Build();
        var starting = Stopwatch.StartNew();
        _host.StartAsync().GetAwaiter().GetResult();
        double started = starting.Elapsed.TotalSeconds;

        // Every instance has run at least once (cluster checks: once its grain is active and its beat came) when two
        // intervals' runs are done; then one more interval to settle.
        while (Interlocked.Read(ref _runs) < Instances * 2L)
        {
            Thread.Sleep(50);
        }

        Thread.Sleep(1000);
        Console.WriteLine($"// B9 setup case={Case} instances={Instances} host_start_s={started:F1} ready_s={starting.Elapsed.TotalSeconds:F1} load_avg={CpuReadings.LoadAverage()}");
    }

    /// <summary>Stops the host.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _host?.StopAsync().GetAwaiter().GetResult();
        Dispose();
    }

    /// <summary>Releases the listener and the host.</summary>
    public void Dispose()
    {
        _listener?.Dispose();
        _listener = null;
        _host?.Dispose();
        _host = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Waits for the runs of <see cref="WindowSeconds"/> of schedule (or that long, without instances), and prints the process CPU per run and per second.</summary>
    [Benchmark(OperationsPerInvoke = 1)]
    public void ScheduledRuns()
    {
        long target = (long)Instances * WindowSeconds;
        long startRuns = Interlocked.Read(ref _runs);
        Interlocked.Exchange(ref _latenessCount, 0);
        var cpuStart = CpuReadings.ThisProcess;
        long allocatedStart = GC.GetTotalAllocatedBytes(precise: false);
        int gen0Start = GC.CollectionCount(0);
        var wall = Stopwatch.StartNew();
        while (target > 0 ? Interlocked.Read(ref _runs) - startRuns < target : wall.Elapsed < TimeSpan.FromSeconds(WindowSeconds))
        {
            Thread.Sleep(5);
        }

        wall.Stop();
        var cpu = CpuReadings.ThisProcess - cpuStart;
        long allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedStart;
        long runs = Interlocked.Read(ref _runs) - startRuns;
        int count = Math.Min(Volatile.Read(ref _latenessCount), _lateness.Length);
        var lateness = _lateness.AsSpan(0, count);
        lateness.Sort();
        double p99 = count == 0 ? double.NaN : lateness[Math.Min(count - 1, (int)(0.99 * count))] * 1000;
        string perRun = runs == 0 ? "-" : (cpu.TotalMilliseconds * 1000 / runs).ToString("F2", CultureInfo.InvariantCulture);
        string allocPerRun = runs == 0 ? "-" : (allocated / (double)runs).ToString("F0", CultureInfo.InvariantCulture);
        Console.WriteLine(
            $"// B9 case={Case} instances={Instances} runs={runs} wall={wall.Elapsed.TotalSeconds:F2}s runs/s={runs / wall.Elapsed.TotalSeconds:F0} " +
            $"cpu_ms_per_s={cpu.TotalMilliseconds / wall.Elapsed.TotalSeconds:F2} cpu_per_run_us={perRun} lateness_p99_ms={p99:F2} " +
            $"alloc_B_per_run={allocPerRun} alloc_B_per_s={allocated / wall.Elapsed.TotalSeconds:F0} gc0={GC.CollectionCount(0) - gen0Start} load_avg={CpuReadings.LoadAverage()}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>One process per case, one warm-up and five measured invocations of <see cref="WindowSeconds"/> each, no forced collections.</summary>
    public sealed class OverheadConfig : ManualConfig
    {
        /// <summary>Builds the configuration; <c>PYCHECKS_B9_ITERATIONS</c> sets the measured invocations.</summary>
        public OverheadConfig()
        {
            int iterations = int.TryParse(Environment.GetEnvironmentVariable("PYCHECKS_B9_ITERATIONS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 5;
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(iterations).WithGcForce(false).WithId("B9"));
            AddColumn(StatisticColumn.Median, StatisticColumn.Min);
        }
    }

    /// <summary>A host-provided check whose run does nothing.</summary>
    private sealed class NoopCheck(CheckInstanceConfig config) : ICheck
    {
        public string Id => config.CheckId;

        public string Name => config.CheckName;

        public string Version => "1.0";

        public TimeSpan Interval => config.Interval;

        public string Source => "host:" + config.CheckName;

        public IReadOnlyList<string> LoadWarnings => [];

        public IReadOnlyDictionary<string, string> Metadata { get; } = new Dictionary<string, string>();

        public Task<CheckRunResult> RunAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult(new CheckRunResult { CheckId = Id, StartedAt = default, Duration = TimeSpan.Zero });

        public void Cancel()
        {
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Loads <see cref="NoopCheck"/> for <see cref="CheckName"/>.</summary>
    private sealed class NoopCheckLoader : ICheckLoader
    {
        public string Name => "noop";

        public bool TryLoad(CheckInstanceConfig config, [NotNullWhen(true)] out ICheck? check, [NotNullWhen(false)] out string? reason)
        {
            if (config.CheckName != CheckName)
            {
                (check, reason) = (null, "not the probe");
                return false;
            }

            (check, reason) = (new NoopCheck(config), null);
            return true;
        }
    }
}
