using System.Text;
using BenchmarkDotNet.Attributes;

namespace PyChecks.Benchmarks;

/// <summary>
/// B4 with Datadog's real toolkit: <see cref="CheckRun"/>'s check (10 gauges with 2 tags per run),
/// subclassing <c>datadog_checks.base.AgentCheck</c> (see <see cref="DatadogToolkit"/>); the figure is per run.
/// <list type="bullet">
/// <item><see cref="RunOnWorker"/>: the loop of runs on a Python worker thread (no hop per run).</item>
/// <item><see cref="RunFromHostThread"/>: each run from the benchmark thread (a hop to a worker and back).</item>
/// </list>
/// </summary>
/// <remarks>No target: the toolkit's <c>run()</c> does more per run than PyChecks' (instance copy, config models, tag checks).</remarks>
[Config(typeof(BenchmarkConfig))]
public class ToolkitCheckRun
{
    private readonly CountingSender _sender = new();
    private CheckHost? _host;
    private ICheck? _check;
    private Func<int>? _runs;

    /// <summary>Starts a host with the toolkit B4 check and checks one run's samples.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var source = new StringBuilder("""
            from datadog_checks.base import AgentCheck

            TAGS = ['env:prod', 'host:a']


            class ToolkitB4Check(AgentCheck):
                def check(self, instance):
                    tags = TAGS

            """);
        for (int i = 0; i < CheckRun.GaugesPerRun; i++)
        {
            source.Append("        self.gauge('b4.metric.").Append(i).Append("', 1.5, tags=tags)\n");
        }

        var (host, checks) = PythonHost.StartChecks("toolkit_b4", source.ToString(), _sender, DatadogToolkit.SearchPaths(), new Dictionary<string, object?>());
        _host = host;
        _check = checks.Single();
        _sender.Record = true;
        var result = PythonHost.RunOnce(_check);
        if (result.Metrics != CheckRun.GaugesPerRun || _sender.Metrics != CheckRun.GaugesPerRun || _sender.Commits != 1 || _sender.LastTags != "env:prod,host:a")
        {
            throw new InvalidOperationException($"one run gave {result.Metrics} metrics, the sender saw {_sender.Metrics} and {_sender.Commits} commits, tags [{_sender.LastTags}]");
        }

        var check = _check;
        _runs = () =>
        {
            int metrics = 0;
            for (int i = 0; i < CheckRun.Runs; i++)
            {
                metrics += PythonHost.RunOnce(check).Metrics;
            }

            return metrics;
        };
    }

    /// <summary>Shuts Python down.</summary>
    [GlobalCleanup]
    public void Cleanup() => _host?.Dispose();

    /// <summary><see cref="CheckRun.Runs"/> runs, the loop on a Python worker thread.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = CheckRun.Runs)]
    public int RunOnWorker() => _host!.Runtime.RunAsync(_runs!).GetAwaiter().GetResult();

    /// <summary><see cref="CheckRun.Runs"/> runs, each from the benchmark thread.</summary>
    [Benchmark(OperationsPerInvoke = CheckRun.Runs)]
    public int RunFromHostThread()
    {
        var check = _check!;
        int metrics = 0;
        for (int i = 0; i < CheckRun.Runs; i++)
        {
            metrics += PythonHost.RunOnce(check).Metrics;
        }

        return metrics;
    }
}
