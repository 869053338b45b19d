using BenchmarkDotNet.Attributes;

namespace PyChecks.Benchmarks;

/// <summary>
/// B3, metric submission: a Python loop inside a loaded check's <c>check()</c> submits a gauge with
/// two tags <see cref="Iterations"/> times, and every sample reaches a registered
/// <see cref="ISender"/> (<see cref="CountingSender"/>) as .NET values (name, value, tags). Measured
/// side by side with B0, the same loop calling a pure-Python <c>def s(a, b, c): pass</c>:
/// <list type="bullet">
/// <item><see cref="PythonFloor"/> (baseline, B0): <c>s('my.metric', 1.5, t)</c>.</item>
/// <item><see cref="SubmitMetric"/>: <c>aggregator.submit_metric(self, check_id, aggregator.GAUGE, 'my.metric', 1.5, t, '', False)</c>.</item>
/// <item><see cref="Gauge"/>: <c>self.gauge('my.metric', 1.5, tags=t)</c> on the <c>AgentCheck</c>.</item>
/// <item><see cref="GaugeShapedNoop"/>: the same call to a method of the check with <c>gauge</c>'s
/// signature whose body is <c>pass</c>: what the Python call alone costs, the floor under <see cref="Gauge"/>.</item>
/// </list>
/// </summary>
/// <remarks>
/// Each invocation is one check run (<see cref="ICheck.RunAsync"/>, one hop to a Python worker
/// thread) whose <c>check()</c> runs the whole loop, so the figure is ns per loop iteration; the
/// run's own cost is spread over 100,000 iterations. <c>t = ['env:prod', 'host:a']</c>; the instances
/// configure no tags. Targets: <see cref="SubmitMetric"/> ≤ 2.5 × and <see cref="Gauge"/> ≤ 4 × the baseline.
/// </remarks>
[Config(typeof(BenchmarkConfig))]
public class MetricSubmission
{
    /// <summary>Loop iterations per check run (per benchmark invocation).</summary>
    public const int Iterations = 100_000;

    internal const string Source = """
        import aggregator
        from pychecks import AgentCheck

        t = ['env:prod', 'host:a']


        def s(a, b, c):
            pass


        def floor(n):
            for i in range(n):
                s('my.metric', 1.5, t)


        def submit(self, check_id, n):
            for i in range(n):
                aggregator.submit_metric(self, check_id, aggregator.GAUGE, 'my.metric', 1.5, t, '', False)


        def gauge(self, n):
            for i in range(n):
                self.gauge('my.metric', 1.5, tags=t)


        def gauge_shaped_noop(self, n):
            for i in range(n):
                self.noop('my.metric', 1.5, tags=t)


        class B3Check(AgentCheck):
            def check(self, instance):
                mode, n = instance['mode'], instance['n']
                if mode == 'floor':
                    floor(n)
                elif mode == 'submit':
                    submit(self, self.check_id, n)
                elif mode == 'gauge':
                    gauge(self, n)
                else:
                    gauge_shaped_noop(self, n)

            def noop(self, name, value, tags=None, hostname=None, device_name=None, raw=False):
                pass
        """;

    private readonly CountingSender _sender = new();
    private CheckHost? _host;
    private ICheck? _floor;
    private ICheck? _submit;
    private ICheck? _gauge;
    private ICheck? _gaugeShapedNoop;

    /// <summary>The B3 check module: four instances (floor, submit, gauge, noop).</summary>
    internal static CheckModule Module => new("b3", Source, [Instance("floor"), Instance("submit"), Instance("gauge"), Instance("noop")]);

    /// <summary>
    /// Starts a host with the B3 check (four instances: floor, submit, gauge, noop), checks that samples arrive, and puts
    /// the case on the CPU where B0 runs fastest (<see cref="Quick.CpuLevels.ChooseForCase"/>).
    /// </summary>
    [GlobalSetup]
    public void Setup()
    {
        var (host, checks) = PythonHost.StartChecks([Module], _sender, []);
        _host = host;
        Attach(checks, _sender);
        Quick.CpuLevels.ChooseForCase();
    }

    /// <summary>Takes the four instances of <see cref="Module"/>, loaded by a host that delivers to <paramref name="sender"/>, and checks that samples arrive.</summary>
    internal void Attach(IReadOnlyList<ICheck> checks, CountingSender sender)
    {
        _floor = checks[0];
        _submit = checks[1];
        _gauge = checks[2];
        _gaugeShapedNoop = checks[3];
        foreach (var check in new[] { _submit, _gauge })
        {
            long before = sender.Metrics;
            sender.Record = true;
            PythonHost.RunOnce(check);
            if (sender.Metrics - before != Iterations || sender.LastName != "my.metric" || sender.LastTags != "env:prod,host:a")
            {
                throw new InvalidOperationException($"{check.Id}: {sender.Metrics - before} samples, last '{sender.LastName}' [{sender.LastTags}]");
            }
        }
    }

    /// <summary>Reads B0 on the case's CPU again (<see cref="Quick.CpuLevels.EndOfCase"/>), then shuts Python down.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        Quick.CpuLevels.EndOfCase();
        _host?.Dispose();
    }

    /// <summary>B0 inside a check run: <c>s('my.metric', 1.5, t)</c>.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Iterations)]
    public CheckRunResult PythonFloor() => PythonHost.RunOnce(_floor!);

    /// <summary><c>aggregator.submit_metric(self, check_id, aggregator.GAUGE, 'my.metric', 1.5, t, '', False)</c>.</summary>
    [Benchmark(OperationsPerInvoke = Iterations)]
    public CheckRunResult SubmitMetric() => PythonHost.RunOnce(_submit!);

    /// <summary><c>self.gauge('my.metric', 1.5, tags=t)</c>.</summary>
    [Benchmark(OperationsPerInvoke = Iterations)]
    public CheckRunResult Gauge() => PythonHost.RunOnce(_gauge!);

    /// <summary><c>self.noop('my.metric', 1.5, tags=t)</c>, a method with <c>gauge</c>'s signature and an empty body.</summary>
    [Benchmark(OperationsPerInvoke = Iterations)]
    public CheckRunResult GaugeShapedNoop() => PythonHost.RunOnce(_gaugeShapedNoop!);

    private static Dictionary<string, object?> Instance(string mode) => new() { ["mode"] = mode, ["n"] = (long)Iterations };
}
