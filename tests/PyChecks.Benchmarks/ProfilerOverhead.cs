using System.Diagnostics;
using System.Globalization;
using PyChecks.Checks.Configuration;
using PyChecks.Profiling;

namespace PyChecks.Benchmarks;

/// <summary>
/// B6, profiler overhead: how much a 100 Hz profile task slows a CPU-bound check. Not a BenchmarkDotNet class (a task
/// spans many runs, and the comparison must be made in one process, interleaved, to cancel out machine drift):
/// <c>dotnet run -c Release --project tests/PyChecks.Benchmarks -- b6 [blocks] [runs per block]</c>
/// (defaults 20 blocks of 10 runs).
/// </summary>
/// <remarks>
/// The check spins a fixed number of Python iterations (about 100 ms of pure bytecode, never releasing the GIL
/// on its own), so each sample has to take the GIL from it. Blocks alternate: without a task, then with a task
/// (interval 10 ms) that starts before the block and is cancelled after it. Reported: the median run time of each
/// kind of block (median of the blocks' medians), their ratio, the fastest run of each kind (on a shared machine
/// noise only adds time), and the task's quality figures.
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
        int blocks = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        int runsPerBlock = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;

        string root = Path.Combine(Path.GetTempPath(), "pychecks-b6-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        string checksD = Directory.CreateDirectory(Path.Combine(root, "checks.d")).FullName;
        File.WriteAllText(Path.Combine(checksD, "cpu.py"), Check);
        try
        {
            var options = new PyChecksOptions { ChecksDirectory = checksD, PersistentCacheDirectory = Path.Combine(root, "cache") };
            options.Python.Python = Environment.GetEnvironmentVariable(PythonHost.Variable) is { Length: > 0 } requested ? requested : PythonHost.ReferenceLibrary;
            using var host = CheckHost.Start(options);
            using var profiler = new Profiler(host.Runtime);
            Console.WriteLine($"B6 — Python {host.Runtime.Version} from {host.Runtime.Location.LibraryPath}; .NET {Environment.Version}; {Environment.ProcessorCount} cores; {blocks} blocks × {runsPerBlock} runs");
            var check = host.Load(CheckConfigReader.Resolve(new CheckConfig
            {
                Name = "cpu",
                Instances = [new Dictionary<string, object?> { ["n"] = 3_000_000L }],
            }).Single());

            for (int i = 0; i < 10; i++)
            {
                RunOnce(check); // warm-up
            }

            var off = new List<double>();
            var on = new List<double>();
            var allOff = new List<double>();
            var allOn = new List<double>();
            var tasks = new List<ProfileTask>();
            for (int b = 0; b < blocks; b++)
            {
                off.Add(Block(check, runsPerBlock, allOff));
                var task = profiler.StartAsync(new ProfileRequest { CheckId = check.Id, Duration = TimeSpan.FromSeconds(600), Interval = TimeSpan.FromMilliseconds(10) }).GetAwaiter().GetResult();
                on.Add(Block(check, runsPerBlock, allOn));
                tasks.Add(profiler.Cancel(task.Id)!);
            }

            double offMedian = Median(off), onMedian = Median(on);
            var q = tasks.Select(t => t.Quality).ToList();
            Console.WriteLine($"run time, median of block medians: without a task {offMedian:0.000} ms, with a 100 Hz task {onMedian:0.000} ms");
            Console.WriteLine($"slowdown: {(onMedian / offMedian - 1) * 100:+0.00;-0.00} % (ratio {onMedian / offMedian:0.0000})");
            Console.WriteLine($"fastest run: without {allOff.Min():0.000} ms, with {allOn.Min():0.000} ms: {(allOn.Min() / allOff.Min() - 1) * 100:+0.00;-0.00} %");
            Console.WriteLine($"per-block slowdowns (%): {string.Join(" ", off.Zip(on, (a, c) => ((c / a - 1) * 100).ToString("+0.0;-0.0", CultureInfo.InvariantCulture)))}");
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

    private static double Block(ICheck check, int runs, List<double> all)
    {
        var times = new List<double>(runs);
        for (int i = 0; i < runs; i++)
        {
            times.Add(RunOnce(check));
        }

        all.AddRange(times);
        return Median(times);
    }

    private static double RunOnce(ICheck check)
    {
        long start = Stopwatch.GetTimestamp();
        var result = check.RunAsync().GetAwaiter().GetResult();
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return result.Succeeded ? ms : throw new InvalidOperationException($"{check.Id} failed: {result.Error}\n{result.Traceback}");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
