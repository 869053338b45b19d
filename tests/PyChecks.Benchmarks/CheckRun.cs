using System.Text;
using BenchmarkDotNet.Attributes;

namespace PyChecks.Benchmarks;

/// <summary>
/// B4, check run: a check whose <c>check()</c> submits 10 gauges with 2 tags each, run
/// <see cref="Runs"/> times through <see cref="ICheck.RunAsync"/>, GIL, commit and status
/// (<see cref="CheckRunResult"/>) included; the figure is per run.
/// <list type="bullet">
/// <item><see cref="RunOnWorker"/>: the loop of runs itself executes on a Python worker thread
/// (<see cref="PythonRuntime.RunAsync{T}"/>), where <see cref="ICheck.RunAsync"/> runs inline, as a
/// scheduler running on a worker does: no thread hop per run. The target applies here.</item>
/// <item><see cref="RunFromHostThread"/>: each run called from the benchmark thread without a token, as a host
/// thread of its own calls it: a run whose previous run was short runs on that thread
/// (<see cref="PythonRuntimeOptions.CallingThreadRunLimit"/>); otherwise it hops to a worker thread and back
/// (queue, wake-up, task completion).</item>
/// </list>
/// </summary>
/// <remarks>Targets: ≤ 1.5 µs per run on a worker, ≤ 5 µs from a host thread, and no managed allocation per sample after warm-up.</remarks>
[Config(typeof(BenchmarkConfig))]
public class CheckRun
{
    /// <summary>Check runs per benchmark invocation.</summary>
    public const int Runs = 1_000;

    /// <summary>Gauges each run submits.</summary>
    public const int GaugesPerRun = 10;

    private readonly CountingSender _sender = new();
    private CheckHost? _host;
    private PythonRuntime? _runtime;
    private ICheck? _check;
    private Func<int>? _runs;

    /// <summary>The B4 check module: one instance.</summary>
    internal CheckModule Module
    {
        get
        {
            var source = new StringBuilder(AgentCheckImport).Append("""


                TAGS = ['env:prod', 'host:a']


                class B4Check(AgentCheck):
                    def check(self, instance):
                        tags = TAGS

                """);
            for (int i = 0; i < GaugesPerRun; i++)
            {
                source.Append("        self.gauge('b4.metric.").Append(i).Append("', 1.5, tags=tags)\n");
            }

            return new CheckModule("b4", source.ToString(), [new Dictionary<string, object?>()]);
        }
    }

    /// <summary>
    /// Starts a host with the B4 check, checks one run's samples, and puts the case on the CPU where B0 runs fastest
    /// (<see cref="Quick.CpuLevels.ChooseForCase"/>).
    /// </summary>
    [GlobalSetup]
    public void Setup()
    {
        var (host, checks) = PythonHost.StartChecks([Module], _sender, SearchPaths());
        _host = host;
        Attach(host.Runtime, checks.Single(), _sender);
        Quick.CpuLevels.ChooseForCase();
    }

    /// <summary>Takes the instance of <see cref="Module"/>, loaded by a host that delivers to <paramref name="sender"/>, and checks one run's samples.</summary>
    internal void Attach(PythonRuntime runtime, ICheck check, CountingSender sender)
    {
        _runtime = runtime;
        _check = check;
        long metricsBefore = sender.Metrics, commitsBefore = sender.Commits;
        sender.Record = true;
        var result = PythonHost.RunOnce(check);
        if (result.Metrics != GaugesPerRun || sender.Metrics - metricsBefore != GaugesPerRun || sender.Commits - commitsBefore != 1 || sender.LastTags != "env:prod,host:a")
        {
            throw new InvalidOperationException($"one run gave {result.Metrics} metrics, the sender saw {sender.Metrics - metricsBefore} and {sender.Commits - commitsBefore} commits, tags [{sender.LastTags}]");
        }

        _runs = () =>
        {
            int metrics = 0;
            for (int i = 0; i < Runs; i++)
            {
                metrics += PythonHost.RunOnce(check).Metrics;
            }

            return metrics;
        };
    }

    /// <summary>The line that imports the <c>AgentCheck</c> the B4 check subclasses.</summary>
    protected virtual string AgentCheckImport => "from pychecks import AgentCheck";

    /// <summary>Folders put first on <c>sys.path</c> for the check.</summary>
    protected virtual IReadOnlyList<string> SearchPaths() => [];

    /// <summary>Reads B0 on the case's CPU again (<see cref="Quick.CpuLevels.EndOfCase"/>), then shuts Python down.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        Quick.CpuLevels.EndOfCase();
        _host?.Dispose();
    }

    /// <summary><see cref="Runs"/> runs, the loop on a Python worker thread (no hop per run).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Runs)]
    public int RunOnWorker() => _runtime!.RunAsync(_runs!).GetAwaiter().GetResult();

    /// <summary><see cref="Runs"/> runs, each from the benchmark thread (on that thread once a run was short, see the class).</summary>
    [Benchmark(OperationsPerInvoke = Runs)]
    public int RunFromHostThread()
    {
        var check = _check!;
        int metrics = 0;
        for (int i = 0; i < Runs; i++)
        {
            metrics += PythonHost.RunOnce(check).Metrics;
        }

        return metrics;
    }
}
