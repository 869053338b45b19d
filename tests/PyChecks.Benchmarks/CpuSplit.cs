namespace PyChecks.Benchmarks;

/// <summary>
/// The CPU time a benchmark process and its worker processes spend from <see cref="Start"/> (the end of set-up) to
/// <see cref="Print"/> (clean-up), and how many times their live threads were scheduled in (a count that fell, as threads ended, shows as 0), per operation: where a
/// worker figure's time goes, host or worker, and how many thread wake-ups an operation costs. It counts everything in
/// that span, BenchmarkDotNet's own work between iterations included, so it is an upper bound.
/// </summary>
internal sealed class CpuSplit(string label, Func<IEnumerable<int>> workerPids)
{
    private (TimeSpan Cpu, long ScheduledIn) _host;
    private (TimeSpan Cpu, long ScheduledIn) _workers;

    private static (TimeSpan Cpu, long ScheduledIn) Read(int pid) => (CpuReadings.TotalOfProcess(pid), CpuReadings.OfProcess(pid).ScheduledIn);

    /// <summary>Reads the starting figures.</summary>
    public void Start()
    {
        _host = Read(Environment.ProcessId);
        _workers = Workers();
    }

    /// <summary>Prints the figures per operation since <see cref="Start"/>, given how many <paramref name="operations"/> ran.</summary>
    public void Print(long operations, string unit)
    {
        if (operations <= 0)
        {
            return;
        }

        var host = Read(Environment.ProcessId);
        var workers = Workers();
        double hostCpu = (host.Cpu - _host.Cpu).TotalNanoseconds / operations;
        double workersCpu = (workers.Cpu - _workers.Cpu).TotalNanoseconds / operations;
        Console.WriteLine(
            $"// {label} per {unit}: cpu_ns host={hostCpu:F1} workers={workersCpu:F1} total={hostCpu + workersCpu:F1}; " +
            $"threads_scheduled_in host={Math.Max(0, host.ScheduledIn - _host.ScheduledIn) / (double)operations:F2} " +
            $"workers={Math.Max(0, workers.ScheduledIn - _workers.ScheduledIn) / (double)operations:F2} " +
            $"({operations:N0} {unit}s) load_avg={CpuReadings.LoadAverage()}");
    }

    private (TimeSpan Cpu, long ScheduledIn) Workers()
    {
        (TimeSpan Cpu, long ScheduledIn) total = default;
        foreach (int pid in workerPids())
        {
            var reading = Read(pid);
            total = (total.Cpu + reading.Cpu, total.ScheduledIn + reading.ScheduledIn);
        }

        return total;
    }
}
