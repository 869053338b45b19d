using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace PyChecks.Benchmarks.Quick;

/// <summary>
/// How fast each CPU of the machine runs Python at this moment (B0's loop on a thread pinned to each CPU in turn), and
/// the choice of the fastest for a case: the quick mode's B0–B4 and the BenchmarkDotNet cases of B0, B3 and B4 run
/// there, and read B0 there again at their end. On a virtual machine a CPU whose physical core is busy with other work
/// runs an interpreter up to about 1.9 × slower, for seconds to minutes, and a figure measured on it misses by that much
/// (docs/performance.md, "Two levels: where the thread runs, not the code", and "Which CPU a case runs on").
/// </summary>
internal static partial class CpuLevels
{
    /// <summary>The environment variable that chooses where a case runs: <c>fastest</c> (the default) or <c>any</c>.</summary>
    public const string Variable = "PYCHECKS_BENCH_CPU";

    private static Pinning? s_case;

    // A CPU whose B0 reading grew by more than this since its choice has changed level (the two levels are 1.6–1.9 × apart).
    private const double SlowerBy = 1.25;

    /// <summary>One line: B0's time per iteration on each CPU, or why there is none.</summary>
    /// <param name="floor">B0's set-up loop (takes the GIL itself).</param>
    public static string Describe(PythonFloor floor)
    {
        var times = Measure(floor, out string? why);
        return times is null ? $"# CPUs: {why}" : "# CPUs: " + Levels(times) + " (a CPU slower than usual slows every figure taken on it: docs/performance.md, Two levels)";
    }

    /// <summary>
    /// Puts every thread of this process on the CPU where B0 runs fastest at this moment, unless <see cref="Variable"/>
    /// is <c>any</c>, and says so in one line: B0 on each CPU, the CPU chosen. The threads started later inherit it.
    /// Disposing the result gives every thread the process's former CPUs back. On a virtual machine whose CPUs run
    /// at two levels (docs/performance.md, "Two levels") a case then runs on the faster one, as a case left to the
    /// scheduler does when it happens to start there; the level of that CPU can still change while the case runs.
    /// </summary>
    /// <param name="floor">B0's set-up loop, or null to set one up on the running Python for the measurement.</param>
    /// <param name="awaitUsualLevel">
    /// Whether to wait, first, for a CPU within <see cref="SlowerBy"/> of the run's fastest B0 reading when the run keeps a
    /// record of it (BenchmarkDotNet's cases: <see cref="RecordVariable"/>).
    /// </param>
    public static Pinning RunOnFastest(PythonFloor? floor = null, bool awaitUsualLevel = false)
    {
        if (string.Equals(Environment.GetEnvironmentVariable(Variable), "any", StringComparison.OrdinalIgnoreCase))
        {
            return new Pinning(0, -1, 0, $"# CPUs: not chosen ({Variable}=any)");
        }

        var own = floor ?? new PythonFloor();
        try
        {
            if (floor is null)
            {
                own.Prepare();
            }

            var times = Measure(own, out string? why);
            if (times is null || !ReadMask(0, out ulong former))
            {
                return new Pinning(0, -1, 0, $"# CPUs: not chosen ({why ?? "could not read the affinity mask"})");
            }

            string waited = string.Empty;
            if (awaitUsualLevel)
            {
                times = AwaitUsualLevel(own, times, out waited);
            }

            int fastest = times.MinBy(t => t.Value).Key;
            int moved = SetEveryThread(1UL << fastest);
            return new Pinning(former, fastest, times[fastest], string.Create(CultureInfo.InvariantCulture, $"# CPUs: {Levels(times)}{waited}; this case runs on cpu{fastest} ({moved} threads moved; {Variable}=any leaves them free)"));
        }
        finally
        {
            if (floor is null)
            {
                own.Release();
            }
        }
    }

    /// <summary>
    /// For a BenchmarkDotNet case's set-up (its process ends with the case): <see cref="RunOnFastest"/>, waiting for a CPU
    /// at the run's usual level first, its line printed to the case's log.
    /// </summary>
    /// <param name="floor">As for <see cref="RunOnFastest"/>.</param>
    public static void ChooseForCase(PythonFloor? floor = null)
    {
        s_case?.Dispose();
        s_case = RunOnFastest(floor, awaitUsualLevel: true);
        Console.WriteLine("// " + s_case.Line[2..]);
    }

    /// <summary>
    /// For a BenchmarkDotNet case's clean-up, before Python stops: B0 again on the CPU <see cref="ChooseForCase"/> chose,
    /// against its reading at the start, printed to the case's log. A case whose CPU slowed meanwhile (a factor well
    /// above 1) was measured partly on the slow level.
    /// </summary>
    public static void EndOfCase()
    {
        if (s_case is not { Cpu: >= 0 } chosen)
        {
            return;
        }

        var floor = new PythonFloor();
        try
        {
            floor.Prepare();
            Console.WriteLine("// " + Again(chosen, floor)[2..]);
        }
        finally
        {
            floor.Release();
        }
    }

    /// <summary>
    /// One line: B0 again on the CPU <paramref name="chosen"/> holds, against its reading when it was chosen (every
    /// thread of the process is on that CPU until <paramref name="chosen"/> is disposed).
    /// </summary>
    public static string Again(Pinning chosen, PythonFloor floor)
    {
        if (chosen.Cpu < 0)
        {
            return "# CPUs: none was chosen";
        }

        var times = Measure(floor, out string? why);
        return times is null || !times.TryGetValue(chosen.Cpu, out double end)
            ? $"# CPUs at the end: {why ?? "not measured"}"
            : string.Create(CultureInfo.InvariantCulture, $"# CPUs at the end: cpu{chosen.Cpu}={end:F1}ns, {end / chosen.StartNanos:F2} × its reading at the start{(end / chosen.StartNanos > SlowerBy ? ": this CPU slowed, figures taken since may be on its slower level" : string.Empty)}");
    }

    /// <summary>B0's fastest time per iteration on each CPU this process may use, or null and why not.</summary>
    private static SortedDictionary<int, double>? Measure(PythonFloor floor, out string? why)
    {
        why = null;
        if (!OperatingSystem.IsLinux())
        {
            why = "not measured (Linux only)";
            return null;
        }

        // The CPUs this process may run on (its affinity mask, which need not start at CPU 0), the first 64 of them.
        if (!ReadMask(0, out ulong allowed))
        {
            why = "not measured (could not read the affinity mask)";
            return null;
        }

        var times = new SortedDictionary<int, double>();
        for (int cpu = 0; cpu < 64; cpu++)
        {
            if ((allowed & (1UL << cpu)) == 0)
            {
                continue;
            }

            double best = double.MaxValue;
            int target = cpu;
            var thread = new Thread(() =>
            {
                ulong mask = 1UL << target;
                if (SchedSetAffinity(0, sizeof(ulong), ref mask) != 0)
                {
                    return;
                }

                for (int round = 0; round < 8; round++)
                {
                    var watch = Stopwatch.StartNew();
                    floor.PythonLoop();
                    best = round < 2 ? best : Math.Min(best, watch.Elapsed.TotalNanoseconds / PythonFloor.Iterations);
                }
            });
            thread.Start();
            thread.Join();
            if (best < double.MaxValue)
            {
                times[cpu] = best;
            }
        }

        if (times.Count == 0)
        {
            why = "not measured (could not pin a thread)";
            return null;
        }

        return times;
    }

    private static string Levels(SortedDictionary<int, double> times)
    {
        string levels = string.Join(' ', times.Select(t => string.Create(CultureInfo.InvariantCulture, $"cpu{t.Key}={t.Value:F1}ns")));
        return string.Create(CultureInfo.InvariantCulture, $"B0 pinned to each: {levels}; slowest/fastest={times.Values.Max() / times.Values.Min():F2}");
    }

    private static bool ReadMask(int thread, out ulong mask)
    {
        mask = 0;
        return OperatingSystem.IsLinux() && SchedGetAffinity(thread, sizeof(ulong), ref mask) == 0;
    }

    /// <summary>Sets every thread of this process (<c>/proc/self/task</c>) to <paramref name="mask"/>; returns how many took it.</summary>
    private static int SetEveryThread(ulong mask)
    {
        int set = 0;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            // A thread that ended meanwhile is gone (ESRCH): nothing to move.
            if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out int tid) && SchedSetAffinity(tid, sizeof(ulong), ref mask) == 0)
            {
                set++;
            }
        }

        return set;
    }

    /// <summary>The outcome of <see cref="RunOnFastest"/>: its line, and the CPUs to give back.</summary>
    internal sealed class Pinning(ulong former, int cpu, double startNanos, string line) : IDisposable
    {
        /// <summary>The CPU chosen, or -1 when none was.</summary>
        public int Cpu { get; } = cpu;

        /// <summary>B0's time per iteration on <see cref="Cpu"/> when it was chosen.</summary>
        public double StartNanos { get; } = startNanos;

        /// <summary>The line that says what was measured and chosen.</summary>
        public string Line { get; } = line;

        /// <summary>Gives every thread the process's former CPUs back (nothing when none were taken).</summary>
        public void Dispose()
        {
            if (former != 0)
            {
                SetEveryThread(former);
                former = 0;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "sched_getaffinity")]
    private static partial int SchedGetAffinity(int pid, nint size, ref ulong mask);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity")]
    private static partial int SchedSetAffinity(int pid, nint size, ref ulong mask);
}
