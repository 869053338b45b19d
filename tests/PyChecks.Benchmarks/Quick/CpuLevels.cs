using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace PyChecks.Benchmarks.Quick;

/// <summary>
/// How fast each CPU of the machine runs Python at this moment, for the quick mode's readers: B0's loop on a thread
/// pinned to each CPU in turn. On a virtual machine a CPU whose physical core is busy with other work runs an
/// interpreter up to about 1.8 × slower, for seconds to minutes, and a figure measured on it misses by that much
/// (docs/performance.md, "Two levels: where the thread runs, not the code").
/// </summary>
internal static partial class CpuLevels
{
    /// <summary>One line: B0's time per iteration on each CPU, or why there is none.</summary>
    /// <param name="floor">B0's set-up loop (takes the GIL itself).</param>
    public static string Describe(PythonFloor floor)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "# CPUs: not measured (Linux only)";
        }

        // The CPUs this process may run on (its affinity mask, which need not start at CPU 0), the first 64 of them.
        ulong allowed = 0;
        if (SchedGetAffinity(0, sizeof(ulong), ref allowed) != 0)
        {
            return "# CPUs: not measured (could not read the affinity mask)";
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
            return "# CPUs: not measured (could not pin a thread)";
        }

        double fastest = times.Values.Min();
        string levels = string.Join(' ', times.Select(t => string.Create(CultureInfo.InvariantCulture, $"cpu{t.Key}={t.Value:F1}ns")));
        return string.Create(CultureInfo.InvariantCulture, $"# CPUs: B0 pinned to each: {levels}; slowest/fastest={times.Values.Max() / fastest:F2} (a CPU slower than usual slows every figure taken on it: docs/performance.md, Two levels)");
    }

    [LibraryImport("libc", EntryPoint = "sched_getaffinity")]
    private static partial int SchedGetAffinity(int pid, nint size, ref ulong mask);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity")]
    private static partial int SchedSetAffinity(int pid, nint size, ref ulong mask);
}
