using System.Diagnostics;
using System.Globalization;
using PyChecks.Checks.Configuration;

namespace PyChecks.Benchmarks;

/// <summary>
/// B6, profiler overhead: how much a 100 Hz profile task slows a CPU-bound check. Not a BenchmarkDotNet class (a task
/// spans many runs, and the comparison must be made in one process, interleaved, to cancel out machine drift):
/// <c>dotnet run -c Release --project tests/PyChecks.Benchmarks -- b6 [pairs] [interval ms] [gil]</c> (defaults: 200 pairs of runs, 10 ms;
/// <c>gil</c>: every tick takes the GIL, even where the profiler reads stacks without it).
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

    // Sleeps 3 s at the bottom of a 20-call recursion: its stack can be walked without waiting for the GIL.
    private const string SleeperCheck = """
        import time
        from datadog_checks.base import AgentCheck

        def down(depth, seconds):
            if depth == 0:
                time.sleep(seconds)
            else:
                down(depth - 1, seconds)

        class SleeperCheck(AgentCheck):
            def check(self, instance):
                down(20, 3.0)
        """;

    // What a Python-level sampler does per tick: every thread's frame, then its stack as FrameSummary objects.
    private const string PythonSampler = """
        import sys, time, traceback

        def sample():
            start = time.perf_counter_ns()
            stacks = [traceback.extract_stack(frame) for frame in sys._current_frames().values()]
            return time.perf_counter_ns() - start
        """;

    public static int Run(string[] args)
    {
        int pairs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var interval = TimeSpan.FromMilliseconds(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10);

        string root = Path.Combine(Path.GetTempPath(), "pychecks-b6-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        string checksD = Directory.CreateDirectory(Path.Combine(root, "checks.d")).FullName;
        File.WriteAllText(Path.Combine(checksD, "cpu.py"), Check);
        File.WriteAllText(Path.Combine(checksD, "sleeper.py"), SleeperCheck);
        try
        {
            var options = new PyChecksOptions { ChecksDirectory = checksD, PersistentCacheDirectory = Path.Combine(root, "cache") };
            options.Python.Python = Environment.GetEnvironmentVariable(PythonHost.Variable) is { Length: > 0 } requested ? requested : PythonHost.ReferenceLibrary;
            using var host = CheckHost.Start(options);
            using var profiler = new Profiler(host.Runtime);
            if (args.Length > 2 && args[2] == "gil")
            {
                profiler.ReadsWithoutGil = false;
            }

            bool withoutGil = profiler.ReadsWithoutGil;
            Console.WriteLine($"B6 — Python {host.Runtime.Version} from {host.Runtime.Location.LibraryPath}; .NET {Environment.Version}; {Environment.ProcessorCount} cores; {pairs} pairs of runs; interval {interval.TotalMilliseconds:0} ms; stacks read {(withoutGil ? "without the GIL" : "under the GIL")}");
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
            var runningRatios = new List<double>(pairs);
            var cpuRatios = new List<double>(pairs);
            var offRunning = new List<double>(pairs);
            var onRunning = new List<double>(pairs);
            var tasks = new List<ProfileTask>(pairs);
            long gilTicks = profiler.TicksUnderGil, readTicks = profiler.TicksWithoutGil, readTime = profiler.ReadTime;
            for (int p = 0; p < pairs; p++)
            {
                // Alternate the order within a pair, so that neither kind always runs first.
                RunTimes a, b;
                if (p % 2 == 0)
                {
                    a = RunOnce(check);
                    b = Profiled(profiler, check, tasks, interval);
                }
                else
                {
                    b = Profiled(profiler, check, tasks, interval);
                    a = RunOnce(check);
                }

                off.Add(a.Ms);
                on.Add(b.Ms);
                ratios.Add(b.Ms / a.Ms);
                offRunning.Add(a.RunningMs);
                onRunning.Add(b.RunningMs);
                runningRatios.Add(b.RunningMs / a.RunningMs);
                cpuRatios.Add(b.CpuMs / a.CpuMs);
            }

            gilTicks = profiler.TicksUnderGil - gilTicks;
            readTicks = profiler.TicksWithoutGil - readTicks;
            readTime = profiler.ReadTime - readTime;

            var q = tasks.Select(t => t.Quality).ToList();
            Console.WriteLine($"run time, median: without a task {Median(off):0.000} ms, with a task {Median(on):0.000} ms: {(Median(on) / Median(off) - 1) * 100:+0.00;-0.00} %");
            Console.WriteLine($"median of the pairs' ratios: {Median(ratios):0.0000} ({(Median(ratios) - 1) * 100:+0.00;-0.00} %); quartiles {Quantile(ratios, 0.25):0.0000} – {Quantile(ratios, 0.75):0.0000}");
            Console.WriteLine($"fastest run: without {off.Min():0.000} ms, with {on.Min():0.000} ms: {(on.Min() / off.Min() - 1) * 100:+0.00;-0.00} %");
            Console.WriteLine(
                $"run time less the worker's run-queue wait (schedstat), median: without {Median(offRunning):0.000} ms, with {Median(onRunning):0.000} ms; " +
                $"median of the pairs' ratios {(Median(runningRatios) - 1) * 100:+0.00;-0.00} % (quartiles {(Quantile(runningRatios, 0.25) - 1) * 100:+0.00;-0.00} – {(Quantile(runningRatios, 0.75) - 1) * 100:+0.00;-0.00} %); " +
                $"the worker's CPU time: {(Median(cpuRatios) - 1) * 100:+0.00;-0.00} % (quartiles {(Quantile(cpuRatios, 0.25) - 1) * 100:+0.00;-0.00} – {(Quantile(cpuRatios, 0.75) - 1) * 100:+0.00;-0.00} %)");
            Console.WriteLine($"ticks: {gilTicks} under the GIL, {readTicks} read without it" + (gilTicks + readTicks > 0 && readTime > 0 ? $"; the sampler's reads without the GIL took {Stopwatch.GetElapsedTime(0, readTime).TotalMicroseconds / (gilTicks + readTicks):0.0} µs per tick (wall, failed ones included)" : string.Empty));
            Console.WriteLine(
                $"task quality (median over tasks): samples {Median(q.Select(x => (double)x.Samples).ToList()):0}, achieved {Median(q.Select(x => x.AchievedHz).ToList()):0.0} Hz, " +
                $"GIL wait p50 {Median(q.Select(x => x.GilWaitP50.TotalMicroseconds).ToList()):0} µs / p99 {Median(q.Select(x => x.GilWaitP99.TotalMicroseconds).ToList()):0} µs, " +
                $"hold p50 {Median(q.Select(x => x.HoldP50.TotalMicroseconds).ToList()):0.0} µs / p99 {Median(q.Select(x => x.HoldP99.TotalMicroseconds).ToList()):0.0} µs");
            if (withoutGil)
            {
                Console.WriteLine(profiler.ReadsWithoutGil ? "reads without the GIL: still on (every tick under the GIL agreed)" : "reads without the GIL: turned OFF (a read disagreed with the walk)");
            }

            using var walker = new Profiler(host.Runtime) { ReadsWithoutGil = false };
            WalkCost(host, walker);
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// The GIL hold per sample of a run sleeping 23 frames deep: the profiler's C-API walk (its hold p50) against
    /// <c>sys._current_frames()</c> + <c>traceback.extract_stack</c> timed in Python on the same stack, same process.
    /// </summary>
    private static void WalkCost(CheckHost host, Profiler profiler)
    {
        var sleeper = host.Load(CheckConfigReader.Resolve(new CheckConfig { Name = "sleeper", Instances = [new Dictionary<string, object?>()] }).Single());
        var task = profiler.StartAsync(new ProfileRequest { CheckId = sleeper.Id, Duration = TimeSpan.FromSeconds(600) }).GetAwaiter().GetResult();
        var run = sleeper.RunAsync();
        Thread.Sleep(1500);
        var quality = profiler.Cancel(task.Id)!.Quality;
        var python = new List<double>();
        using (host.Runtime.AcquireGil())
        {
            using var module = PyObject.CreateModule("b6_python_sampler", PythonSampler);
            using var sample = module.GetAttr("sample");
            for (int i = 0; i < 200; i++)
            {
                using var ns = sample.Call();
                python.Add(ns.As<long>() / 1000.0);
            }
        }

        run.GetAwaiter().GetResult();
        string heaviest = profiler.GetResult(task.Id)!.ToFolded().Split('\n')[0];
        int depth = heaviest.Count(c => c == ';') + 1;
        Console.WriteLine(
            $"walk cost (a {depth}-frame stack): C-API walk hold p50 {quality.HoldP50.TotalMicroseconds:0.0} µs ({quality.Samples} samples); " +
            $"sys._current_frames + traceback.extract_stack p50 {Median(python):0.0} µs: {Median(python) / quality.HoldP50.TotalMicroseconds:0} ×");
        sleeper.Dispose();
    }

    private static RunTimes Profiled(Profiler profiler, ICheck check, List<ProfileTask> tasks, TimeSpan interval)
    {
        var task = profiler.StartAsync(new ProfileRequest { CheckId = check.Id, Duration = TimeSpan.FromSeconds(600), Interval = interval }).GetAwaiter().GetResult();
        var run = RunOnce(check);
        tasks.Add(profiler.Cancel(task.Id)!);
        return run;
    }

    /// <summary>
    /// One run: its wall time, that time less the time its worker spent ready but waiting for a CPU (other processes'
    /// load on a shared machine), and the worker's CPU time, from the workers' <c>/proc/self/task/*/schedstat</c>
    /// (the other workers are idle meanwhile).
    /// </summary>
    private static RunTimes RunOnce(ICheck check)
    {
        var before = Workers();
        long start = Stopwatch.GetTimestamp();
        var result = check.RunAsync().GetAwaiter().GetResult();
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var after = Workers();
        return result.Succeeded
            ? new RunTimes(ms, ms - ((after.WaitingNs - before.WaitingNs) / 1e6), (after.CpuNs - before.CpuNs) / 1e6)
            : throw new InvalidOperationException($"{check.Id} failed: {result.Error}\n{result.Traceback}");
    }

    private static (long CpuNs, long WaitingNs) Workers()
    {
        long cpu = 0, waiting = 0;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith("PyChecks worke", StringComparison.Ordinal))
                {
                    continue;
                }

                string[] fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                cpu += long.Parse(fields[0], CultureInfo.InvariantCulture);
                waiting += long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread exited.
            }
        }

        return (cpu, waiting);
    }

    private readonly record struct RunTimes(double Ms, double RunningMs, double CpuMs);

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
