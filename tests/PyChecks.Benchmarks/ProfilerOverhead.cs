using System.Diagnostics;
using System.Globalization;
using PyChecks.Checks.Configuration;
using PyChecks.Profiling;

namespace PyChecks.Benchmarks;

/// <summary>
/// B6, profiler overhead: how much a 100 Hz profile task slows a CPU-bound check. Not a BenchmarkDotNet class (a task
/// spans many runs, and the comparison must be made in one process, interleaved, to cancel out machine drift):
/// <c>dotnet run -c Release --project tests/PyChecks.Benchmarks -- b6 [pairs]</c> (default 200 pairs of runs).
/// </summary>
/// <remarks>
/// The check spins a fixed number of Python iterations (about 100 ms of pure bytecode on 3.11, never releasing the
/// GIL on its own), so each sample has to take the GIL from it. Runs come in pairs, one without a task and one with a
/// task (interval 10 ms) started just before it and cancelled just after, in alternating order, so that the two kinds
/// see the same machine. Reported: the median run time of each kind and their ratio, the median and quartiles of the
/// pairs' ratios, the fastest run of each kind (on a shared machine noise only adds time), and the tasks' quality.
/// </remarks>
internal static class ProfilerOverhead
{
    private const string Check = """
        from datadog_checks.base import AgentCheck

        def work(n):
            total = 0
            for i in range(n):
                total += i * i % 7
            return total

        class CpuCheck(AgentCheck):
            def check(self, instance):
                self.gauge('cpu.total', work(instance['n']))
        """;

    public static int Run(string[] args)
    {
        int pairs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;

        string root = Path.Combine(Path.GetTempPath(), "pychecks-b6-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        string checksD = Directory.CreateDirectory(Path.Combine(root, "checks.d")).FullName;
        File.WriteAllText(Path.Combine(checksD, "cpu.py"), Check);
        try
        {
            var options = new PyChecksOptions { ChecksDirectory = checksD, PersistentCacheDirectory = Path.Combine(root, "cache") };
            options.Python.Python = Environment.GetEnvironmentVariable(PythonHost.Variable) is { Length: > 0 } requested ? requested : PythonHost.ReferenceLibrary;
            using var host = CheckHost.Start(options);
            using var profiler = new Profiler(host.Runtime);
            Console.WriteLine($"B6 — Python {host.Runtime.Version} from {host.Runtime.Location.LibraryPath}; .NET {Environment.Version}; {Environment.ProcessorCount} cores; {pairs} pairs of runs");
            var check = host.Load(CheckConfigReader.Resolve(new CheckConfig
            {
                Name = "cpu",
                Instances = [new Dictionary<string, object?> { ["n"] = 3_000_000L }],
            }).Single());

            for (int i = 0; i < 10; i++)
            {
                RunOnce(check); // warm-up
            }

            var off = new List<double>(pairs);
            var on = new List<double>(pairs);
            var ratios = new List<double>(pairs);
            var tasks = new List<ProfileTask>(pairs);
            for (int p = 0; p < pairs; p++)
            {
                // Alternate the order within a pair, so that neither kind always runs first.
                double a, b;
                if (p % 2 == 0)
                {
                    a = RunOnce(check);
                    b = Profiled(profiler, check, tasks);
                }
                else
                {
                    b = Profiled(profiler, check, tasks);
                    a = RunOnce(check);
                }

                off.Add(a);
                on.Add(b);
                ratios.Add(b / a);
            }

            var q = tasks.Select(t => t.Quality).ToList();
            Console.WriteLine($"run time, median: without a task {Median(off):0.000} ms, with a 100 Hz task {Median(on):0.000} ms: {(Median(on) / Median(off) - 1) * 100:+0.00;-0.00} %");
            Console.WriteLine($"median of the pairs' ratios: {Median(ratios):0.0000} ({(Median(ratios) - 1) * 100:+0.00;-0.00} %); quartiles {Quantile(ratios, 0.25):0.0000} – {Quantile(ratios, 0.75):0.0000}");
            Console.WriteLine($"fastest run: without {off.Min():0.000} ms, with {on.Min():0.000} ms: {(on.Min() / off.Min() - 1) * 100:+0.00;-0.00} %");
            Console.WriteLine(
                $"task quality (median over tasks): samples {Median(q.Select(x => (double)x.Samples).ToList()):0}, achieved {Median(q.Select(x => x.AchievedHz).ToList()):0.0} Hz, " +
                $"GIL wait p50 {Median(q.Select(x => x.GilWaitP50.TotalMicroseconds).ToList()):0} µs / p99 {Median(q.Select(x => x.GilWaitP99.TotalMicroseconds).ToList()):0} µs, " +
                $"hold p50 {Median(q.Select(x => x.HoldP50.TotalMicroseconds).ToList()):0.0} µs / p99 {Median(q.Select(x => x.HoldP99.TotalMicroseconds).ToList()):0.0} µs");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static double Profiled(Profiler profiler, ICheck check, List<ProfileTask> tasks)
    {
        var task = profiler.StartAsync(new ProfileRequest { CheckId = check.Id, Duration = TimeSpan.FromSeconds(600), Interval = TimeSpan.FromMilliseconds(10) }).GetAwaiter().GetResult();
        double ms = RunOnce(check);
        tasks.Add(profiler.Cancel(task.Id)!);
        return ms;
    }

    private static double RunOnce(ICheck check)
    {
        long start = Stopwatch.GetTimestamp();
        var result = check.RunAsync().GetAwaiter().GetResult();
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return result.Succeeded ? ms : throw new InvalidOperationException($"{check.Id} failed: {result.Error}\n{result.Traceback}");
    }

    private static double Median(List<double> values) => Quantile(values, 0.5);

    private static double Quantile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return 0;
        }

        double position = q * (sorted.Count - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + ((sorted[above] - sorted[below]) * (position - below));
    }
}
