using BenchmarkDotNet.Running;

namespace PyChecks.Benchmarks;

/// <summary>
/// Runs the standard benchmarks (see docs/performance.md). Python is the library named by
/// <c>PYCHECKS_PYTHON</c>, or Debian's libpython3.11 when it is unset:
/// <c>dotnet run -c Release --project tests/PyChecks.Benchmarks -- --filter '*'</c>.
/// B6 (profiler overhead) is a program of its own: <c>-- b6 [pairs] [interval ms]</c>, see <see cref="ProfilerOverhead"/>.
/// <c>-- quick</c> runs B0–B4 and B8 (and B3, B4 in a worker process) short on every Python found, one line per figure: see <see cref="Quick.QuickMode"/>.
/// <c>-- threads</c> runs B4 from fresh threads and says which CPU each ran on: see <see cref="ThreadPlacement"/>.
/// B7 (memory per check) is a program of its own: <c>-- b7 [instances] [runs] [samples]</c>, see <see cref="MemoryPerCheck"/>.
/// </summary>
public static class Program
{
    /// <summary>Entry point: BenchmarkDotNet's switcher over every benchmark class in this assembly, or B7.</summary>
    public static int Main(string[] args)
    {
        if (args is ["b6", .. var b6])
        {
            return ProfilerOverhead.Run(b6);
        }

        if (args is ["quick", .. var quick])
        {
            return Quick.QuickMode.Run(quick);
        }

        if (args is [Quick.QuickMode.ChildArgument, var only])
        {
            return Quick.QuickMode.RunChild(only);
        }

        if (args is ["threads", .. var threads])
        {
            return ThreadPlacement.Run(threads);
        }

        if (args is ["b7", .. var b7])
        {
            return MemoryPerCheck.Run(b7);
        }

        string? record = Quick.CpuLevels.StartRunRecord();
        try
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        }
        finally
        {
            if (record is not null)
            {
                File.Delete(record);
            }
        }

        return 0;
    }
}
