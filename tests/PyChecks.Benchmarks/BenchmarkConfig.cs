using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace PyChecks.Benchmarks;

/// <summary>
/// The configuration every benchmark class uses: a short job (3 warm-up and 10 measured
/// iterations, each case in its own process, the default out-of-process toolchain), allocations
/// per operation, the median and the minimum (on a shared machine noise only adds time, so the
/// fastest iteration is the steadiest figure), and the Python the run used.
/// </summary>
public sealed class BenchmarkConfig : ManualConfig
{
    /// <summary>Builds the configuration.</summary>
    public BenchmarkConfig()
    {
        AddJob(Job.Default
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithId("Short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.Min);
        AddColumn(new TagColumn("Python", _ => PythonHost.Requested));
    }
}
