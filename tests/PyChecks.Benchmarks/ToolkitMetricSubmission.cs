using BenchmarkDotNet.Attributes;

namespace PyChecks.Benchmarks;

/// <summary>
/// B3 with Datadog's real toolkit: the same loop as <see cref="MetricSubmission"/>, in a check that
/// subclasses <c>datadog_checks.base.AgentCheck</c> (see <see cref="DatadogToolkit"/>) instead of
/// PyChecks' own.
/// <list type="bullet">
/// <item><see cref="PythonFloor"/> (baseline, B0): <c>s('my.metric', 1.5, t)</c>.</item>
/// <item><see cref="Gauge"/>: the toolkit's <c>self.gauge('my.metric', 1.5, tags=t)</c>, which validates and
/// normalises in Python before it calls <c>aggregator.submit_metric</c>.</item>
/// </list>
/// </summary>
/// <remarks>No target: the figure says what a check on the toolkit pays, for comparison with <see cref="MetricSubmission.Gauge"/>.</remarks>
[Config(typeof(BenchmarkConfig))]
public class ToolkitMetricSubmission
{
    private const string Source = """
        from datadog_checks.base import AgentCheck

        t = ['env:prod', 'host:a']


        def s(a, b, c):
            pass


        class ToolkitB3Check(AgentCheck):
            def check(self, instance):
                n = instance['n']
                if instance['mode'] == 'floor':
                    for i in range(n):
                        s('my.metric', 1.5, t)
                else:
                    for i in range(n):
                        self.gauge('my.metric', 1.5, tags=t)
        """;

    private readonly CountingSender _sender = new();
    private CheckHost? _host;
    private ICheck? _floor;
    private ICheck? _gauge;

    /// <summary>Starts a host with the toolkit check (floor and gauge instances) and checks that samples arrive.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (host, checks) = PythonHost.StartChecks("toolkit_b3", Source, _sender, DatadogToolkit.SearchPaths(), Instance("floor"), Instance("gauge"));
        _host = host;
        _floor = checks[0];
        _gauge = checks[1];
        _sender.Record = true;
        PythonHost.RunOnce(_gauge);
        if (_sender.Metrics != MetricSubmission.Iterations || _sender.LastName != "my.metric" || _sender.LastTags != "env:prod,host:a")
        {
            throw new InvalidOperationException($"{_gauge.Id}: {_sender.Metrics} samples, last '{_sender.LastName}' [{_sender.LastTags}]");
        }
    }

    /// <summary>Shuts Python down.</summary>
    [GlobalCleanup]
    public void Cleanup() => _host?.Dispose();

    /// <summary>B0 inside a toolkit check's run: <c>s('my.metric', 1.5, t)</c>.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = MetricSubmission.Iterations)]
    public CheckRunResult PythonFloor() => PythonHost.RunOnce(_floor!);

    /// <summary>The toolkit's <c>self.gauge('my.metric', 1.5, tags=t)</c>.</summary>
    [Benchmark(OperationsPerInvoke = MetricSubmission.Iterations)]
    public CheckRunResult Gauge() => PythonHost.RunOnce(_gauge!);

    private static Dictionary<string, object?> Instance(string mode) => new() { ["mode"] = mode, ["n"] = (long)MetricSubmission.Iterations };
}
