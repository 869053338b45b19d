using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace PyChecks.Benchmarks;

/// <summary>
/// A diagnostic, not a benchmark: B4's run from a series of fresh host threads, each kept alive until the end (so that
/// none reuses another's Python thread state or stack), one line per thread with the CPU it ran on, its fastest round
/// and the time of a fixed managed loop on it: <c>-- threads [threads] [runs per round]</c>. It tells a figure that
/// depends on the code from one that depends on where the thread ran (see docs/performance.md, "Two levels"). A thread
/// that moved to another CPU during its measurement shows <c>cpu=-1</c>.
/// </summary>
internal static partial class ThreadPlacement
{
    private const int Rounds = 5;

    /// <summary>Runs the diagnostic; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Length > 2 || !TryCount(args, 0, 12, out int threads) || !TryCount(args, 1, 5_000, out int runs))
        {
            Console.Error.WriteLine($"threads: expected positive whole numbers, got '{string.Join(' ', args)}'; usage: threads [threads, default 12] [runs per round, default 5000]");
            return 2;
        }

        var sender = new CountingSender();
        var (host, checks) = PythonHost.StartChecks([new CheckRun().Module], sender, []);
        using (host)
        {
            var check = checks.Single();

            // Past the JIT's tiers first: the first 100,000 runs or so of a process run less optimized code.
            for (int i = 0; i < 150_000; i++)
            {
                PythonHost.RunOnce(check);
            }

            using var release = new ManualResetEventSlim();
            var started = new List<Thread>();
            var perCpu = new SortedDictionary<int, List<double>>();
            for (int t = 0; t < threads; t++)
            {
                using var measured = new ManualResetEventSlim();
                (int Cpu, double BestUs, double LoopMs) line = default;
                var thread = new Thread(() =>
                {
                    line = Measure(check, runs);
                    measured.Set();
                    release.Wait();
                })
                {
                    IsBackground = true,
                    Name = "placement " + t.ToString(CultureInfo.InvariantCulture),
                };
                thread.Start();
                measured.Wait();
                started.Add(thread);
                Console.WriteLine(FormattableString.Invariant($"thread={t} cpu={line.Cpu} run_us={line.BestUs:F3} managed_loop_ms={line.LoopMs:F1}"));
                if (!perCpu.TryGetValue(line.Cpu, out var list))
                {
                    perCpu[line.Cpu] = list = [];
                }

                list.Add(line.BestUs);
            }

            release.Set();
            foreach (var thread in started)
            {
                thread.Join();
            }

            foreach (var (cpu, figures) in perCpu)
            {
                Console.WriteLine(FormattableString.Invariant($"cpu={cpu} threads={figures.Count} run_us min={figures.Min():F3} max={figures.Max():F3}"));
            }
        }

        return 0;
    }

    /// <summary>The positive count at <paramref name="index"/> of <paramref name="args"/>, or <paramref name="fallback"/> when absent.</summary>
    private static bool TryCount(string[] args, int index, int fallback, out int count)
    {
        count = fallback;
        return args.Length <= index || (int.TryParse(args[index], NumberStyles.None, CultureInfo.InvariantCulture, out count) && count > 0);
    }

    /// <summary>The thread's CPU, its fastest round and its managed loop's time; CPU -1 when the thread moved to another CPU meanwhile.</summary>
    private static (int Cpu, double BestUs, double LoopMs) Measure(ICheck check, int runs)
    {
        int cpu = SchedGetCpu();
        var loop = Stopwatch.StartNew();
        double sum = 0;
        for (int i = 0; i < 20_000_000; i++)
        {
            sum += Math.Sqrt(i);
        }

        double loopMs = sum > 0 ? loop.Elapsed.TotalMilliseconds : double.NaN;
        for (int i = 0; i < 200; i++)
        {
            PythonHost.RunOnce(check);
        }

        double best = double.MaxValue;
        for (int round = 0; round < Rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < runs; i++)
            {
                PythonHost.RunOnce(check);
            }

            best = Math.Min(best, watch.Elapsed.TotalMilliseconds * 1000 / runs);
        }

        return (SchedGetCpu() == cpu ? cpu : -1, best, loopMs);
    }

    [LibraryImport("libc", EntryPoint = "sched_getcpu")]
    private static partial int SchedGetCpu();
}
