using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PyChecks.Checks.Isolation;

namespace PyChecks.Benchmarks;

/// <summary>
/// B3 in a worker process: the B3 loops of <see cref="MetricSubmission"/> (<c>self.gauge('my.metric', 1.5, tags=t)</c>
/// and <c>aggregator.submit_metric(…)</c>) in a check instance with <c>isolation: process</c>, so that each sample is
/// encoded in the worker, sent over its socket, decoded on the host's reading thread and delivered to a
/// <see cref="CountingSender"/>; against the same loop in process, in the same host, each pair a category of its own.
/// </summary>
/// <remarks>
/// One invocation is one run of <see cref="Iterations"/> samples, so the run's own round trip is spread over them and
/// the figure is what a sample costs. The host and the worker work at the same time (the worker encodes while the host
/// decodes the frame before), so the elapsed figure can be less than the CPU both spend: clean-up prints the CPU time
/// per sample of each side. Target: ≤ 2 × in process.
/// </remarks>
[Config(typeof(BenchmarkConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class WorkerProcessSubmission
{
    /// <summary>Samples per check run (per benchmark invocation).</summary>
    public const int Iterations = 10_000;

    private readonly CountingSender _sender = new();
    private CheckHost? _host;
    private ICheck? _gaugeInProcess;
    private ICheck? _gaugeInWorker;
    private ICheck? _submitInProcess;
    private ICheck? _submitInWorker;
    private CpuSplit? _cpu;
    private long _metricsAtStart;

    /// <summary>The B3 check module with four instances: gauge and submit, each in process and in a worker process.</summary>
    internal static CheckModule Module => new("b3", MetricSubmission.Source, [
        Instance("gauge", "in_process"), Instance("gauge", "process"), Instance("submit", "in_process"), Instance("submit", "process")]);

    /// <summary>Starts a host with one worker process, loads the four instances, and checks that every sample arrives.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (host, checks) = PythonHost.StartChecks([Module], _sender, [], static o => o.WorkerProcesses.Count = 1);
        _host = host;
        Attach(checks, _sender);
        _cpu = new CpuSplit("B3 worker", () => WorkerPids(host));
        _metricsAtStart = _sender.Metrics;
        _cpu.Start();
    }

    /// <summary>Takes the four instances of <see cref="Module"/>, loaded by a host that delivers to <paramref name="sender"/>, and checks that every sample arrives.</summary>
    internal void Attach(IReadOnlyList<ICheck> checks, CountingSender sender)
    {
        (_gaugeInProcess, _gaugeInWorker, _submitInProcess, _submitInWorker) = (checks[0], checks[1], checks[2], checks[3]);
        foreach (var (check, inWorker) in new[] { (_gaugeInProcess, false), (_gaugeInWorker, true), (_submitInProcess, false), (_submitInWorker, true) })
        {
            if (check is ProcessCheck != inWorker)
            {
                throw new InvalidOperationException($"{check.Id} runs {(inWorker ? "in process" : "in a worker process")}, not where its instance says");
            }

            long before = sender.Metrics;
            sender.Record = true;
            PythonHost.RunOnce(check);
            if (sender.Metrics - before != Iterations || sender.LastName != "my.metric" || sender.LastTags != "env:prod,host:a")
            {
                throw new InvalidOperationException($"{check.Id}: {sender.Metrics - before} samples, last '{sender.LastName}' [{sender.LastTags}]");
            }
        }
    }

    /// <summary>Prints the CPU time per sample of the host and the worker, and shuts Python and the worker down.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _cpu?.Print(_sender.Metrics - _metricsAtStart, "sample");
        _host?.Dispose();
    }

    /// <summary><c>self.gauge('my.metric', 1.5, tags=t)</c> in process.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Iterations)]
    [BenchmarkCategory("gauge")]
    public CheckRunResult GaugeInProcess() => PythonHost.RunOnce(_gaugeInProcess!);

    /// <summary><c>self.gauge('my.metric', 1.5, tags=t)</c> in a worker process.</summary>
    [Benchmark(OperationsPerInvoke = Iterations)]
    [BenchmarkCategory("gauge")]
    public CheckRunResult GaugeInWorker() => PythonHost.RunOnce(_gaugeInWorker!);

    /// <summary><c>aggregator.submit_metric(self, check_id, aggregator.GAUGE, 'my.metric', 1.5, t, '', False)</c> in process.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Iterations)]
    [BenchmarkCategory("submit_metric")]
    public CheckRunResult SubmitMetricInProcess() => PythonHost.RunOnce(_submitInProcess!);

    /// <summary><c>aggregator.submit_metric(…)</c> in a worker process.</summary>
    [Benchmark(OperationsPerInvoke = Iterations)]
    [BenchmarkCategory("submit_metric")]
    public CheckRunResult SubmitMetricInWorker() => PythonHost.RunOnce(_submitInWorker!);

    /// <summary>The pids of the live worker processes of <paramref name="host"/>.</summary>
    internal static IEnumerable<int> WorkerPids(CheckHost host) =>
        host.WorkerProcesses?.Slots.Select(static s => s.Current).OfType<WorkerProcess>().Where(static w => w.IsAlive).Select(static w => w.Pid) ?? [];

    private static Dictionary<string, object?> Instance(string mode, string isolation) =>
        new() { ["mode"] = mode, ["n"] = (long)Iterations, ["isolation"] = isolation };
}
